// The guard at your side while you write: the draft is checked as you type (after a short
// pause) and what was found is shown under the text, highlighted, with the reason in plain
// words. Without JavaScript the same report appears when the post is sent.
// Spans from the server are byte offsets into the checked text (UTF-8), so they are cut
// from its encoded bytes.

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v)
  for (const c of children) node.append(c)
  return node
}

function preview (checked, findings) {
  const bytes = encoder.encode(checked)
  const spans = findings.filter(f => f.end > f.start && f.end <= bytes.length).sort((a, b) => a.start - b.start)
  const p = el('p', { class: 'canteen-guard__preview' })
  let at = 0
  for (const f of spans) {
    const start = Math.max(f.start, at)
    if (f.end <= start) continue
    if (start > at) p.append(decoder.decode(bytes.slice(at, start)))
    p.append(el('mark', {}, decoder.decode(bytes.slice(start, f.end))))
    at = f.end
  }
  if (at < bytes.length) p.append(decoder.decode(bytes.slice(at)))
  return p
}

function render (region, report, confirmed) {
  region.replaceChildren()
  if (report.findings.length === 0) return
  const blocks = report.verdict === 'block'
  const content = el('div', { class: 'nhsuk-card__content nhsuk-card__content--feature' },
    el('h2', { class: 'nhsuk-card__heading nhsuk-card__heading--feature nhsuk-heading-m' },
      blocks ? 'This post cannot be sent' : 'Check this post before you send it'),
    el('ul', { class: 'nhsuk-list' }, ...report.findings.map(f => el('li', {}, el('strong', {}, `${f.label}:`), ` ${f.message}`))),
    el('p', { class: 'nhsuk-body-s' }, 'What we found is highlighted:'),
    preview(report.checked, report.findings))
  if (blocks) {
    content.append(el('p', {}, 'Your organisation does not allow this in a post. Edit the post to remove it, then send it again.'))
  } else {
    const box = el('input', { class: 'nhsuk-checkboxes__input', id: 'confirm', name: 'confirm', type: 'checkbox', value: 'true' })
    box.checked = confirmed
    content.append(
      el('input', { type: 'hidden', name: 'guard_ack', value: report.fingerprint }),
      el('div', { class: 'nhsuk-checkboxes' }, el('div', { class: 'nhsuk-checkboxes__item' }, box,
        el('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: 'confirm' }, 'I have checked this post and still want to send it'))))
    if (report.tone_only) {
      content.append(el('p', {}, 'Upset or angry? It can help to wait before you post.'),
        el('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', name: 'action', value: 'later' }, 'Wait an hour, then post it'))
    }
  }
  region.append(el('div', { class: `nhsuk-card nhsuk-card--feature canteen-guard--${blocks ? 'block' : 'warn'}` }, content))
}

export function startCompose () {
  const form = document.querySelector('form.canteen-compose')
  const region = document.getElementById('guard-findings')
  if (!form || !region || !form.dataset.checkUrl) return
  // The server-rendered "wait an hour" button is replaced by the live report's own.
  for (const b of form.querySelectorAll('.nhsuk-button-group button[value=later]')) b.remove()
  let timer = null
  let lastFingerprint = region.querySelector('input[name=guard_ack]')?.value ?? null
  let sequence = 0
  async function check () {
    const mine = ++sequence
    const data = new FormData(form)
    const picture = data.get('image')
    const hasPicture = (picture instanceof File && picture.size > 0) || Boolean(data.get('media_id'))
    data.delete('image')
    const body = new URLSearchParams(data)
    body.delete('confirm')
    if (hasPicture) body.set('has_media', 'true')
    let report
    try {
      const res = await fetch(form.dataset.checkUrl, { method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      if (!res.ok) return
      report = await res.json()
    } catch {
      return // offline: the server still checks when the post is sent
    }
    if (mine !== sequence) return // a newer check is on its way
    // A changed text must be confirmed again: the acknowledgement is for exactly this report.
    const confirmed = report.fingerprint === lastFingerprint && region.querySelector('#confirm')?.checked === true
    lastFingerprint = report.fingerprint
    render(region, report, confirmed)
  }
  const recheck = event => {
    if (event.target.id === 'confirm') return
    clearTimeout(timer)
    timer = setTimeout(check, 400)
  }
  form.addEventListener('input', recheck)
  form.addEventListener('change', recheck) // a file chosen, a box ticked
}
