// Progressive enhancement only: every page works without this file.
// Marks the page as scripted (the NHS components style themselves by these classes),
// starts the NHS design system's components, the guard's live feedback while writing, and
// the "new posts" prompt. Loaded as a module, so it never runs inline.
import { initAll } from '../../nhsuk/10.6.1/nhsuk-frontend.min.js'
import { startCompose } from './compose.js'
import { startLive } from './live.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()
startCompose()
startLive()
