## Ecosistema: organizaciones, economía social y emprendimiento

nav-organisations = Organizaciones
nav-ecosystem-figures = Cifras del ecosistema

error-legal-form = Elija una forma jurídica de la lista.
error-relation-kind = Elija un tipo de relación de la lista.
error-qualification-kind = Elija un registro de la lista.
error-pole-activity-kind = Elija un tipo de actividad de la lista.
error-venture-stage = Elija una fase de la lista.
error-cpv-format = Un código CPV tiene 8 dígitos y, si se quiere, un guion y el dígito de control (85312000-9).
error-cpv-unknown = Ese código no está en el vocabulario CPV 2008.
