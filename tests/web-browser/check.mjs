// Drives Debian's chromium (playwright-core, no downloaded browser) through the web app and
// runs axe-core on every page it visits. Fails (exit 1) on any axe violation, on any
// Content-Security-Policy violation, and on any page error.
//
//   node check.mjs <base url> <email> <password>
//
// Run by crates/canteen/tests/web_browser.rs against a real `canteen serve`.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'

const [base, email, password] = process.argv.slice(2)
if (!base || !email || !password) {
  console.error('usage: node check.mjs <base url> <email> <password>')
  process.exit(2)
}
const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

const problems = []
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })

// With SCREENSHOT_DIR set, every checked page is also saved as a PNG there.
const screenshotDir = process.env.SCREENSHOT_DIR

async function checkPage (page, name) {
  // Our module script ran (under the CSP) and started the NHS components.
  const scripted = await page.evaluate(() => document.body.classList.contains('nhsuk-frontend-supported'))
  if (!scripted) problems.push(`${name}: assets/canteen/init.js did not run`)
  if (screenshotDir) await page.screenshot({ path: `${screenshotDir}/${name.replaceAll(' ', '-')}.png`, fullPage: true })
  // Evaluated over the DevTools protocol, so the page's CSP (no inline script) still holds.
  await page.evaluate(axeSource)
  const result = await page.evaluate(() => window.axe.run(document))
  for (const v of result.violations) {
    problems.push(`${name}: axe ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map(n => n.target.join(' ')).join('\n    ')}`)
  }
  console.log(`${name}: ${result.passes.length} axe rules passed, ${result.violations.length} violated`)
}

async function run (width, label) {
  const context = await browser.newContext({ viewport: { width, height: 900 } })
  const page = await context.newPage()
  page.on('console', msg => {
    // Failed requests are judged by the response handler below (some failures are meant).
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`${label}: console error: ${msg.text()}`)
    }
  })
  page.on('pageerror', err => problems.push(`${label}: page error: ${err.message}`))
  page.on('response', res => {
    // The failed sign-in (422) and the missing profile (404) are meant; anything else is broken.
    const meant = (res.url().endsWith('/sign-in') && res.status() === 422) ||
      (res.url().includes('/search?q=has') && res.status() === 422) ||
      (res.url().endsWith('/@nobody-here') && res.status() === 404)
    if (res.status() >= 400 && !meant) problems.push(`${label}: ${res.status()} for ${res.url()}`)
  })

  await page.goto(`${base}/`)
  await checkPage(page, `${label} welcome`)

  await page.goto(`${base}/sign-in`)
  await checkPage(page, `${label} sign-in`)

  // An empty form: the error summary, focused, with links to the fields.
  await page.click('button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  await checkPage(page, `${label} sign-in with errors`)

  await page.fill('#email', email)
  await page.fill('#password', password)
  await page.click('button[type=submit]')
  await page.waitForSelector('h1:has-text("Home")')
  if ((await page.locator('article').count()) === 0) problems.push(`${label}: the home timeline is empty`)
  await checkPage(page, `${label} home`)

  await page.goto(`${base}/@${email.split('@')[0]}`)
  await checkPage(page, `${label} profile`)

  // A post's own page (its thread), then the other timelines and notifications.
  await page.click('article .canteen-post__meta a')
  await page.waitForSelector('h1:has-text("Post by")')
  await checkPage(page, `${label} thread`)
  for (const [path, name] of [['/settings', 'settings'], ['/settings/sessions', 'sessions and apps'], ['/notifications', 'notifications'], ['/local', 'local timeline'], ['/public', 'federated timeline'], ['/tags/nursing', 'hashtag']]) {
    await page.goto(`${base}${path}`)
    await checkPage(page, `${label} ${name}`)
  }
  if ((await page.locator('article').count()) === 0) problems.push(`${label}: the hashtag page is empty`)

  await page.goto(`${base}/search`)
  await checkPage(page, `${label} search`)
  await page.fill('#q', 'the')
  await page.click('form[role=search] button[type=submit]')
  await page.waitForSelector('nav[aria-label="Kinds of result"]')
  await checkPage(page, `${label} search results`)
  await page.goto(`${base}/search?q=${encodeURIComponent(email.split('@')[0])}&type=accounts`)
  await checkPage(page, `${label} search for people`)
  await page.goto(`${base}/search?q=has:cats`)
  await page.waitForSelector('.nhsuk-error-summary')
  await checkPage(page, `${label} search with an error`)

  await page.goto(`${base}/sign-up`)
  await checkPage(page, `${label} sign-up`)

  await page.goto(`${base}/@nobody-here`)
  await checkPage(page, `${label} not found`)

  // Keyboard: the first Tab reaches the skip link.
  await page.goto(`${base}/`)
  await page.keyboard.press('Tab')
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim())
  if (focused !== 'Skip to main content') problems.push(`${label}: first Tab focused ${JSON.stringify(focused)}`)

  await page.click('.nhsuk-header__account-button')
  await page.waitForSelector('a.nhsuk-button[href="/sign-in"]')
  await context.close()
}

try {
  await run(1280, 'desktop')
  await run(375, 'mobile')
} finally {
  await browser.close()
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log('no axe violations, no CSP violations, no page errors')
