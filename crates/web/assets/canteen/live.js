// New posts on an open timeline (home, this server, everywhere, a hashtag): the server says when one arrives (server-sent
// events); we show "n new posts" and the reader chooses when to see them, so what they are
// reading never moves.

export function startLive () {
  const region = document.querySelector('[data-live-url]')
  if (!region || !('EventSource' in window)) return
  let count = 0
  const source = new EventSource(region.dataset.liveUrl)
  source.addEventListener('post', () => {
    count += 1
    const link = document.createElement('a')
    link.className = 'nhsuk-button nhsuk-button--secondary canteen-live__show'
    link.href = region.dataset.liveShow || '/'
    link.textContent = count === 1 ? 'Show 1 new post' : `Show ${count} new posts`
    region.replaceChildren(link)
  })
  // Signed out elsewhere, or the server went away for good: stop asking.
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) source.close()
  })
}
