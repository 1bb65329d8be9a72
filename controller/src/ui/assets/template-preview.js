// capd template preview: while the operator types, post the form to its preview address and swap
// in the preview region the answer carries. Without this script the Preview button does the same.
;(() => {
  const form = document.querySelector('form[data-preview-action]')
  const region = document.getElementById('template-preview')
  if (!form || !region) return
  const action = form.dataset.previewAction
  let timer
  let latest = 0
  const update = async () => {
    const mine = ++latest
    try {
      const response = await fetch(action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { 'X-Capd-Live': '1' },
        credentials: 'same-origin',
      })
      // An older answer arriving after a newer one would show text that is no longer typed.
      if (!response.ok || response.redirected || mine !== latest) return
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html')
      const next = fresh.getElementById('template-preview')
      if (next && next.innerHTML !== region.innerHTML) region.innerHTML = next.innerHTML
      document.body.dataset.previewUpdatedAt = String(Date.now())
    } catch {
      // Offline for a moment: the next keystroke tries again.
    }
  }
  form.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(update, 300)
  })
})()
