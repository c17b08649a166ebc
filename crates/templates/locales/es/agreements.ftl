## Convenios y compromisos

nav-agreements = Convenios

error-agreement-kind = Elija un tipo de convenio de la lista.
error-agreement-status = Elija un estado de la lista.
error-agreement-target = Elija un grupo destinatario de la lista.
error-party-role = Elija un papel de la lista.
error-commitment-kind = Elija un tipo de compromiso de la lista.
error-commitment-status = Elija un estado de la lista.
