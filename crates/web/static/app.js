// Elkarlan: progressive enhancement for govuk-frontend components.
// Loaded as <script type="module" src="/static/app.js"> (CSP: no inline scripts).
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('govuk-frontend-supported')
initAll()
