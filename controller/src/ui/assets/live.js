// capd live updates: when the server says something changed, refetch this page and swap in every
// element marked data-live (matched by id). Forms stay outside those regions, so typing is never lost.
;(() => {
  const source = document.body.dataset.liveSource
  if (!source || !('EventSource' in window)) return
  let timer
  let refreshing = false
  // A change told while a refresh is in flight may have committed after that page was read: one
  // more refresh follows it, or the page would show the older state until the next change.
  let again = false
  const refresh = async () => {
    if (refreshing) {
      again = true
      return
    }
    refreshing = true
    again = false
    try {
      const response = await fetch(location.href, {
        headers: { 'X-Capd-Live': '1' },
        credentials: 'same-origin',
      })
      if (!response.ok || response.redirected) return
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html')
      for (const region of document.querySelectorAll('[data-live]')) {
        const next = fresh.getElementById(region.id)
        if (next && next.innerHTML !== region.innerHTML) region.innerHTML = next.innerHTML
      }
      document.body.dataset.liveUpdatedAt = String(Date.now())
    } catch {
      // Offline for a moment: the next change event tries again.
    } finally {
      refreshing = false
      if (again) refresh()
    }
  }
  // Browsers allow ~6 connections per host over HTTP/1.1: a stream per background tab would soon
  // leave none for page loads. So only a visible page listens; coming back, it catches up at once.
  let events
  const listen = () => {
    events = new EventSource(source)
    events.addEventListener('change', () => {
      clearTimeout(timer)
      timer = setTimeout(refresh, 250)
    })
    events.addEventListener('ready', () => {
      document.body.dataset.live = 'connected'
    })
  }
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      events?.close()
      events = undefined
      document.body.dataset.live = 'paused'
    } else if (!events) {
      listen()
      refresh()
    }
  })
  if (!document.hidden) listen()
})()
