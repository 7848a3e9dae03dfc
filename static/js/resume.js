// "Unfinished uploads" on the upload page, listed by the portal from any device's uploads:
// Resume asks for the file again, lets the portal check it is the same one (name, size,
// fingerprint), then hands it to Uppy with the existing multipart upload, so Uppy lists
// the parts S3 holds and sends only the missing ones. Cancel aborts the upload.
import { fingerprint } from './fingerprint.js'

export function setUpResume ({ uppy, api, mediaIds }) {
  for (const row of document.querySelectorAll('#unfinished li[data-media-id]')) {
    const id = row.dataset.mediaId
    const problem = row.querySelector('.problem')
    const cancel = row.querySelector('button.cancel')
    cancel.hidden = false
    cancel.addEventListener('click', async () => {
      try {
        await api('DELETE', `/${id}`)
        row.remove()
      } catch (error) {
        problem.textContent = error.message
      }
    })
    const resume = row.querySelector('button.resume')
    if (!resume) continue
    const picker = Object.assign(document.createElement('input'), { type: 'file', hidden: true })
    row.append(picker)
    resume.hidden = false
    resume.addEventListener('click', () => picker.click())
    picker.addEventListener('change', async () => {
      const file = picker.files[0]
      picker.value = ''
      if (!file) return
      problem.textContent = ''
      try {
        const identity = { filename: file.name, size: file.size, fingerprint: await fingerprint(file) }
        const resumed = await api('POST', `/${id}/resume`, identity)
        const fileId = uppy.addFile({
          name: file.name,
          type: file.type || row.dataset.type,
          data: file,
          meta: { title: row.dataset.name },
        })
        mediaIds.set(fileId, id)
        uppy.setFileState(fileId, { s3Multipart: { uploadId: resumed.upload_id, key: resumed.key } })
        row.remove()
        uppy.upload()
      } catch (error) {
        problem.textContent = error.message
      }
    })
  }
}
