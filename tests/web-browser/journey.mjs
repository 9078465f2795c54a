// The web app's main journey in Debian's chromium (playwright-core), with axe-core on every
// page visited. Run twice by crates/canteen/tests/it/web_browser.rs: with JavaScript on
// (live guard feedback while typing, the live "new posts" prompt) and with it off (the same
// journey through plain forms).
//
//   node journey.mjs <base url> <password> <js|nojs>
//
// The server has: `admin` (an admin), `bob` (locked, with a followers-only post and a hidden
// employer) and `carol`. A new person signs up in the browser.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'

const [base, password, mode] = process.argv.slice(2)
if (!base || !password || !['js', 'nojs'].includes(mode)) {
  console.error('usage: node journey.mjs <base url> <password> <js|nojs>')
  process.exit(2)
}
const js = mode === 'js'
const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const screenshotDir = process.env.SCREENSHOT_DIR
const problems = []
// Never hang a test run: a journey that takes this long has failed.
setTimeout(() => {
  console.error(`${mode}: the journey took over four minutes`)
  process.exit(1)
}, 240000).unref()
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
const newcomer = js ? 'nina' : 'omar'
const NHS_NUMBER = '943 476 5919'

function expect (ok, what) {
  if (!ok) problems.push(`${mode}: ${what}`)
}

async function checkPage (page, name, width = 1280) {
  const label = `${mode} ${name}`
  if (js) {
    const scripted = await page.evaluate(() => document.body.classList.contains('nhsuk-frontend-supported'))
    expect(scripted, `${name}: assets/canteen/init.js did not run`)
  }
  if (screenshotDir && js) {
    await page.screenshot({ path: `${screenshotDir}/${name.replaceAll(' ', '-')}${width < 500 ? '-mobile' : ''}.png` })
  }
  // A page with JavaScript off cannot run axe; a copy of it (same origin, so the same
  // stylesheets, scripts removed) is checked in a scripted page instead.
  let target = page
  if (!js) {
    const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '')
    target = await checker()
    await target.goto(`${base}/health`)
    await target.setContent(html, { waitUntil: 'load' })
  }
  await target.evaluate(axeSource)
  const result = await target.evaluate(() => window.axe.run(document))
  for (const v of result.violations) {
    problems.push(`${label}: axe ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map(n => n.target.join(' ')).join('\n    ')}`)
  }
  console.log(`${label}: ${result.passes.length} axe rules passed, ${result.violations.length} violated`)
}

let checkerPage = null
async function checker () {
  if (!checkerPage) checkerPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  return checkerPage
}

async function person (width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: js })
  const page = await context.newPage()
  page.setDefaultTimeout(20000)
  page.on('console', msg => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`${mode}: console error: ${msg.text()}`)
  })
  page.on('pageerror', err => problems.push(`${mode}: page error: ${err.message}`))
  page.on('response', res => {
    // 422s are the forms' and the guard's answers; anything else over 400 is broken.
    if (res.status() >= 400 && res.status() !== 422) problems.push(`${mode}: ${res.status()} for ${res.url()}`)
  })
  return { context, page }
}

async function signIn (page, username) {
  await page.goto(`${base}/sign-in`)
  await page.fill('#email', `${username}@example.nhs.uk`)
  await page.fill('#password', password)
  await page.click('main button[type=submit]')
  await page.waitForURL(url => !url.pathname.startsWith('/sign-in'))
  // The policy changed since they last acknowledged it: home sends them to first run.
  await page.goto(`${base}/`)
  if (new URL(page.url()).pathname === '/start') {
    await page.check('#acknowledge')
    await page.click('main button[type=submit]')
    await page.waitForURL(`${base}/start/privacy`)
  }
}

try {
  // The admin sets the organisation's social-media policy.
  const admin = await person()
  await signIn(admin.page, 'admin')
  await admin.page.goto(`${base}/admin`)
  await checkPage(admin.page, 'admin')
  await admin.page.goto(`${base}/admin/policy`)
  await checkPage(admin.page, 'admin policy')
  await admin.page.fill('#policy', `Policy version for ${mode}: never post anything that could identify a patient.\n\nIf you would not say it aloud in the canteen, do not post it online.`)
  await admin.page.click('main button[type=submit]')
  await admin.page.waitForSelector('text=The policy has been saved')
  await admin.page.goto(`${base}/admin/sign-ups`)
  await checkPage(admin.page, 'admin sign-ups and roles')
  await admin.context.close()

  // A new person signs up: first a mistake (the error summary), then properly.
  const me = await person()
  const page = me.page
  await page.goto(`${base}/sign-up`)
  await checkPage(page, 'sign-up')
  await page.fill('#username', newcomer)
  await page.fill('#email', `${newcomer}@example.nhs.uk`)
  await page.fill('#password', password)
  await page.click('main button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  expect(await page.isVisible('a[href="#agreement"]'), 'the missing agreement is in the error summary')
  await checkPage(page, 'sign-up with errors')
  await page.fill('#password', password)
  await page.check('#agreement')
  await page.click('main button[type=submit]')
  await page.waitForURL(`${base}/start`)

  // First run: a profile mode in plain words, and the policy acknowledged.
  expect(await page.isVisible(`text=Policy version for ${mode}`), 'the policy is shown at first run')
  await checkPage(page, 'first run')
  await page.check('#mode-professional')
  await page.click('main button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  expect(await page.isVisible('a[href="#acknowledge"]'), 'acknowledging the policy is required')
  await page.check('#mode-professional')
  await page.check('#acknowledge')
  await page.click('main button[type=submit]')
  await page.waitForURL(`${base}/start/privacy`)
  await checkPage(page, 'privacy check-up')
  await page.click('a.nhsuk-button[href="/"]')
  await page.waitForSelector('h1:has-text("Home")')

  // Carol follows the newcomer and keeps her home timeline open.
  const carol = await person()
  await signIn(carol.page, 'carol')
  await carol.page.goto(`${base}/@${newcomer}`)
  await carol.page.click('main form[action$="/follow"] button')
  await carol.page.waitForSelector('text=Unfollow')
  await carol.page.goto(`${base}/`)

  // The newcomer asks to follow bob (locked).
  await page.goto(`${base}/@bob`)
  await checkPage(page, 'profile of someone else')
  await page.click('main form[action="/@bob/follow"] button')
  await page.waitForSelector('text=Withdraw request')
  expect(!(await page.isVisible('text=Followers only news')), 'a followers-only post shown before approval')

  // Writing a post with an NHS number: the guard says so before it is sent.
  await page.goto(`${base}/`)
  await checkPage(page, 'home')
  const draft = `Lovely to see the patient up and about today, NHS number ${NHS_NUMBER}. #nursing`
  await page.check('#visibility-public')
  if (js) {
    await page.fill('#status', draft)
    await page.waitForSelector('#guard-findings mark', { timeout: 10000 })
    const marked = await page.textContent('#guard-findings mark')
    expect(marked === NHS_NUMBER, `the live check highlights the number (got ${JSON.stringify(marked)})`)
    expect(await page.isVisible('#guard-findings >> text=looks like a valid NHS number'), 'the live check explains why')
    await checkPage(page, 'compose with the guard warning live')
  } else {
    await page.fill('#status', draft)
    await page.click('main form.canteen-compose button[value=now]')
    await page.waitForSelector('#guard-findings mark')
    expect((await page.textContent('#guard-findings mark')) === NHS_NUMBER, 'the refused post highlights the number')
    expect(await page.isVisible('text=This post cannot be sent'), 'the post was refused')
    await checkPage(page, 'compose refused by the guard')
  }
  // Removing the number clears the finding; the post goes out.
  const clean = 'Lovely to see the patient up and about today. #nursing'
  await page.fill('#status', clean)
  if (js) await page.waitForFunction(() => document.querySelector('#guard-findings mark') === null, null, { timeout: 10000 })
  await page.click('main form.canteen-compose button[value=now]')
  await page.waitForSelector('text=Your post has been sent.')

  // Carol sees it arrive: live with JavaScript, by reloading without.
  if (js) {
    await carol.page.waitForSelector('text=Show 1 new post', { timeout: 15000 })
    await checkPage(carol.page, 'home with a new post waiting')
    await carol.page.click('text=Show 1 new post')
  } else {
    for (let i = 0; i < 50 && !(await carol.page.isVisible(`text=${clean}`)); i++) {
      await carol.page.waitForTimeout(200)
      await carol.page.goto(`${base}/`)
    }
  }
  await carol.page.waitForSelector(`text=${clean}`, { timeout: 10000 })
  await carol.context.close()

  // Bob approves the request; his followers-only post is then visible to the newcomer.
  const bob = await person()
  await signIn(bob.page, 'bob')
  await bob.page.goto(`${base}/follow-requests`)
  await checkPage(bob.page, 'follow requests')
  await bob.page.click(`main form[action$="/approve"] button:has-text("${newcomer}")`)
  await bob.page.waitForURL(`${base}/follow-requests`)
  await page.goto(`${base}/@bob`)
  await page.waitForSelector('text=Followers only news')

  // Bob sees his profile as a stranger: no followers-only post, no hidden employer.
  await bob.page.goto(`${base}/@bob`)
  expect(await bob.page.isVisible('text=Northtown Hospital'), 'the owner sees his hidden employer')
  await bob.page.click('text=See my profile as a stranger')
  await bob.page.waitForSelector('text=This is how your profile looks to someone who does not follow you')
  expect(!(await bob.page.isVisible('text=Followers only news')), 'the stranger view shows a followers-only post')
  expect(!(await bob.page.isVisible('text=Northtown Hospital')), 'the stranger view shows a hidden employer')
  expect(await bob.page.isVisible('text=Public hello'), 'the stranger view shows the public post')
  await checkPage(bob.page, 'profile as a stranger')
  await bob.context.close()

  // Like and bookmark a post, reply to it, make a list, schedule a post, see one's profiles
  // and a profile's followers, and allow an app: every page checked.
  await page.goto(`${base}/@bob`)
  const hello = 'main article:has-text("Public hello")'
  await page.click(`${hello} form[action$="/like"] button`)
  await page.waitForSelector(`${hello} button[aria-pressed="true"]:has-text("Like")`)
  await page.click(`${hello} form[action$="/bookmark"] button`)
  await page.waitForSelector(`${hello} button[aria-pressed="true"]:has-text("Bookmark")`)
  const poll = 'main article:has-text("Which topic for the next study day?")'
  await page.click(`${poll} label:has-text("Falls prevention")`)
  await page.click(`${poll} button:has-text("Vote")`)
  await page.waitForSelector(`${poll} >> text=(your choice)`)
  // Each run's newcomer votes (JavaScript on, then off), so one or two have voted.
  expect(await page.isVisible(`${poll} >> text=/^(1 person|2 people) voted/`), 'the vote is counted')
  await checkPage(page, 'a poll after voting')
  await page.goto(`${base}/bookmarks`)
  await page.waitForSelector('text=Public hello')
  await checkPage(page, 'bookmarks')
  await page.click(`${hello} a:has-text("Reply")`)
  await page.waitForSelector('#reply')
  expect((await page.inputValue('#status')).startsWith('@bob '), 'the reply starts with the author\'s handle')
  await checkPage(page, 'thread with the reply form')
  await page.fill('#status', '@bob Thanks, see you there')
  await page.click('#reply button[value=now]')
  await page.waitForSelector('text=Earlier in the conversation')
  await page.goto(`${base}/lists`)
  await checkPage(page, 'lists')
  await page.fill('#title', 'Ward 4')
  await page.click('main form[action="/lists"] button')
  await page.waitForSelector('h1:has-text("Ward 4")')
  await page.fill('#account', '@bob')
  await page.click('main form[action$="/members"] button')
  await page.waitForSelector('text=They were added')
  expect(await page.isVisible('text=Public hello'), 'the list shows bob\'s posts')
  await checkPage(page, 'list')
  await page.goto(`${base}/`)
  await page.click('text=Send it later')
  // Two hours from now, as a UK wall clock reads it (what the field asks for).
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  }).formatToParts(new Date(Date.now() + 2 * 3600 * 1000)).map(p => [p.type, p.value]))
  await page.fill('#schedule_at', `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`)
  await page.fill('#status', 'Reminder: the study day starts at nine')
  await page.click('main form.canteen-compose button[value=now]')
  await page.waitForSelector('text=Your post is scheduled')
  expect(await page.isVisible(`text=${parts.hour}:${parts.minute}`), 'the scheduled time is shown as typed')
  await checkPage(page, 'scheduled posts')
  await page.goto(`${base}/settings/profiles`)
  await checkPage(page, 'your profiles')
  await page.goto(`${base}/@bob?tab=followers`)
  await checkPage(page, 'profile followers')
  const registered = await (await fetch(`${base}/api/v1/apps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Tusky', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' })
  })).json()
  await page.goto(`${base}/oauth/authorize?client_id=${registered.client_id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read&response_type=code`)
  await checkPage(page, 'allow an app')
  await page.click('main button[value=approve]')
  await page.waitForSelector('#code')

  // Forgotten password page, and the phone-sized layout of the pages that matter most.
  await page.goto(`${base}/forgot-password`)
  await checkPage(page, 'forgotten password')
  await me.context.close()
  if (js) {
    const phone = await person(375)
    await signIn(phone.page, newcomer)
    await checkPage(phone.page, 'home', 375)
    await phone.page.goto(`${base}/@bob`)
    await checkPage(phone.page, 'profile of someone else', 375)
    await phone.page.goto(`${base}/start`)
    await checkPage(phone.page, 'first run', 375)
    await phone.page.goto(`${base}/bookmarks`)
    await checkPage(phone.page, 'bookmarks', 375)
    await phone.context.close()
  }
} catch (e) {
  problems.push(`${mode}: the journey stopped: ${e.message}`)
} finally {
  await browser.close()
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`journey (${mode}) done: no axe violations, no CSP violations, no page errors`)
