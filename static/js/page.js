// Small touches for every page, with no framework: times in the viewer's own zone
// (UTC kept on hover), and copy buttons.
document.querySelectorAll('time[datetime]').forEach((element) => {
  const when = new Date(element.getAttribute('datetime'))
  if (Number.isNaN(when.getTime())) return
  element.title = element.textContent.trim()
  element.textContent = when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
})

document.querySelectorAll('button[data-copy]').forEach((button) => {
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.copy)
    const status = button.parentElement.querySelector('.copied')
    try {
      await navigator.clipboard.writeText(field.value)
      if (status) status.textContent = 'Copied.'
    } catch {
      field.select()
      if (status) status.textContent = 'Press Ctrl+C to copy.'
    }
  })
})
