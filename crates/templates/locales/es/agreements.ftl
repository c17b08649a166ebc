## Convenios y compromisos

nav-agreements = Convenios

error-agreement-kind = Elige un tipo de convenio de la lista.
error-agreement-status = Elige un estado de la lista.
error-agreement-target = Elige un colectivo destinatario de la lista.
error-party-role = Elige un papel de la lista.
error-commitment-kind = Elige un tipo de compromiso de la lista.
error-commitment-status = Elige un estado de la lista.

## Listas de códigos

agreement-kind-private-partnership = Alianza con un agente privado
agreement-kind-public-collaboration = Colaboración con un agente público
agreement-status-draft = Borrador
agreement-status-signed = Firmado
agreement-status-active = En vigor
agreement-status-expired = Vencido
agreement-status-renewed = Renovado
agreement-status-terminated = Resuelto
agreement-target-shops-and-businesses = Comercios y empresas
agreement-target-entrepreneurs = Personas emprendedoras
agreement-target-migrants = Personas migrantes
agreement-target-job-seekers = Personas demandantes de empleo
agreement-target-young-people = Jóvenes
agreement-target-women = Mujeres
agreement-target-social-economy-entities = Entidades de economía social
agreement-target-residents = Vecindario
party-role-promoter = Promotora
party-role-signatory = Firmante
party-role-collaborator = Colaboradora
commitment-kind-hire-participants = Contratar participantes
commitment-kind-offer-practicum-places = Ofrecer plazas de prácticas
commitment-kind-other = Otro
commitment-status-open = Abierto
commitment-status-met = Cumplido
commitment-status-missed = Incumplido
commitment-status-waived = Dispensado
commitment-standing-on-track = En plazo
commitment-standing-at-risk = En riesgo
commitment-standing-late = Con retraso

## Páginas

agreements-title = Convenios
agreements-intro = Convenios de alianza con agentes privados y de colaboración con agentes públicos, con sus compromisos.
agreements-none = Ningún convenio coincide.
agreements-any = Cualquiera
agreements-filter = Filtrar
agreement-caption = Convenio
agreement-new-title = Nuevo convenio
agreement-edit-title = Modificar el convenio
agreement-save = Guardar el convenio
agreement-title = Título
agreement-title-eu = Título en euskera
agreement-title-es = Título en castellano
agreement-title-other = Título en el otro idioma
agreement-kind = Tipo
agreement-status = Estado
agreement-scope = Objeto
agreement-scope-hint = Lo que las partes acuerdan hacer juntas.
agreement-parties = Partes
agreement-parties-hint = Organizaciones del directorio. Al menos una; para firmar, una debe ser firmante o promotora (el Ayuntamiento firma todos los convenios).
agreement-party-n = Parte { $n }
agreement-party-role-n = Papel de la parte { $n }
agreement-party-role = Papel
agreement-organisation = Organización
agreement-neighbourhood = Barrio
agreement-neighbourhoods = Barrios
agreement-target-groups = Colectivos destinatarios
agreement-starts-on = Fecha de inicio
agreement-ends-on = Fecha de fin
agreement-signed-on = Fecha de firma
agreement-signed-on-hint = La fecha en que firmaron las partes, como AAAA-MM-DD.
agreement-budget = Presupuesto
agreement-budget-hint = En euros, por ejemplo 12.000,50. Déjalo vacío si el convenio no mueve dinero.
agreement-renewal-notice = Aviso de renovación
agreement-renewal-notice-hint = Días antes del fin en que se recuerda a la coordinación que lo renueve.
agreement-days = { $days } días
agreement-renews = Renueva
agreement-expiring-soon = Vence pronto
agreement-lifecycle = Ciclo de vida
agreement-move-signed = Marcar como firmado
agreement-move-active = Poner en vigor
agreement-move-expired = Marcar como vencido
agreement-move-terminated = Resolver
agreement-move-draft = Volver a borrador
agreement-move-renewed = Renovar
agreement-renew = Renovar (nuevo borrador)
documents-title = Documentos
documents-none = No hay documentos referenciados.
document-new-title = Referenciar un documento
document-title = Documento
document-dated-on = Fecha
document-reference = Dónde se guarda el original firmado
document-reference-hint = Número de expediente, asiento de registro o ubicación en el archivo.
document-save = Guardar la referencia
commitments-title = Compromisos
commitments-none = Todavía no hay compromisos.
commitment-new-title = Añadir un compromiso
commitment-edit-title = Compromiso
commitment-save = Guardar el compromiso
commitment-kind = Tipo de compromiso
commitment-organisation = Organización que lo cumple
commitment-organisation-hint = Necesaria para contar contrataciones: cuentan las inserciones con esta empleadora.
commitment-description = Descripción
commitment-target = Meta
commitment-unit = Unidad
commitment-unit-hint = Lo que se cuenta, por ejemplo «personas contratadas».
commitment-due-on = Fecha límite
commitment-training-action = Acción formativa
commitment-training-action-hint = Necesaria para contar plazas de prácticas: cuentan sus matrículas.
commitment-evidence = Evidencias
commitment-evidence-hint = Lo que acredita el avance: informes, listados, certificados.
commitment-recorded-progress = Avance anotado a mano
commitment-recorded-progress-hint = Solo cuenta en los compromisos de tipo «Otro».
commitment-status = Estado
commitment-progress = Avance
commitment-progress-text = { $achieved } de { $target } { $unit } ({ $percent } %)
notice-agreement-saved = Se ha guardado el convenio.
notice-agreement-moved = Se ha cambiado el estado del convenio.
notice-agreement-renewed = Se ha creado la renovación como borrador.
notice-document-saved = Se ha guardado la referencia del documento.
notice-commitment-saved = Se ha guardado el compromiso.
export-col-id = Identificador
export-col-agreement = Convenio
export-col-clause = Cláusula social
export-col-achieved = Logrado
export-col-percent = Porcentaje
export-col-standing = Situación

## Inserciones vinculadas al directorio y a cláusulas sociales

placement-employer-organisation = Empleadora en el directorio
placement-employer-organisation-hint = Si la empleadora es una organización del directorio, sus contrataciones cuentan para sus compromisos.
placement-clause-link = Contratación por una cláusula social
placement-clause-link-hint = Solo con el consentimiento de la persona para que el Ayuntamiento conozca su empleo.

## Errores

error-directory-organisation-unknown = Elige una organización del directorio.
error-party-twice = Cada organización solo puede ser parte una vez.
error-parties-required = Añade al menos una parte.
error-parties-too-many = Demasiadas partes.
error-agreement-title-required = Escribe el título.
error-agreement-scope-required = Escribe el objeto.
error-agreement-targets-required = Elige al menos un colectivo destinatario.
error-signed-after-end = La fecha de firma no puede ser posterior al fin del convenio.
error-renewal-notice-days = Escribe un número de días entre 0 y 365.
error-agreement-signatory-required = Para firmar, al menos una parte debe ser firmante o promotora.
error-signed-on-required = Escribe la fecha de firma.
error-document-reference-required = Escribe dónde se guarda el original firmado.
error-commitment-due-before-start = La fecha límite no puede ser anterior al inicio del convenio.
error-commitment-due-after-end = La fecha límite no puede ser posterior al fin del convenio.
error-commitment-target = Escribe un número entero mayor que cero.
error-commitment-organisation-required = Elige la organización cuyas contrataciones cuentan.
error-commitment-action-required = Elige la acción formativa cuyas matrículas cuentan.
error-commitment-action-unknown = Elige una acción formativa de la lista.
error-commitment-unit-required = Escribe qué se cuenta.
error-commitment-progress = Escribe un número entero, cero o más.
error-agreement-move = El convenio no puede pasar a ese estado desde el actual.
error-agreement-closed = Un convenio cerrado no se puede modificar.
error-clause-link-consent = La contratación solo se puede vincular a una cláusula social con el consentimiento vigente de la persona para que el Ayuntamiento conozca su empleo.
error-social-clause-unknown = Elige una cláusula social de la lista.

## Correo

email-agreement-renewal-subject = Hay un convenio pendiente de renovación
email-agreement-renewal-body = Un convenio en vigor termina dentro de su plazo de aviso de renovación. Entra en Elkarlan para revisarlo en Convenios.
