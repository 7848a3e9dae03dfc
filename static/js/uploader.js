// The direct uploader: Uppy's Dashboard, with bytes going from the browser
// straight to S3. Small files use one presigned POST, large ones an S3
// multipart upload whose parts the portal presigns one by one. The portal
// creates, signs and finally verifies each upload; it never sees the bytes.
import AwsS3 from '@uppy/aws-s3'
import Uppy from '@uppy/core'
import Dashboard from '@uppy/dashboard'
import { fingerprint } from './fingerprint.js'
import { setUpResume } from './resume.js'

const MiB = 1024 * 1024
const MAX_PARTS = 10000

const root = document.getElementById('direct-uploader')
const config = JSON.parse(document.getElementById('uploader-config').textContent)
const csrfToken = root.querySelector('input[name=csrfmiddlewaretoken]').value
const mediaIds = new Map() // Uppy file id -> Media Hub id

async function api (method, path, body) {
  const response = await fetch(config.apiUrl + path, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (response.status === 204) return null
  const data = await response.json().catch(() => ({ detail: `The portal answered ${response.status}.` }))
  if (!response.ok) {
    // API v1 answers every error as a problem (RFC 9457): its detail says what went wrong.
    const error = new Error(data.detail || `The portal answered ${response.status}.`)
    error.status = response.status
    throw error
  }
  return data
}

async function createUpload (file) {
  const created = await api('POST', '', {
    name: file.meta.title || file.name,
    caption: file.meta.caption || '',
    filename: file.name,
    size: file.size,
    type: file.type || '',
    // Lets the upload be resumed later, from this or any other device.
    fingerprint: await fingerprint(file.data),
  })
  mediaIds.set(file.id, created.item.id)
  return created
}

function mediaId (file) {
  const id = mediaIds.get(file.id)
  if (!id) throw new Error('This upload was never started.')
  return id
}

const uppy = new Uppy({
  restrictions: { maxFileSize: config.maxBytes },
  onBeforeFileAdded (file) {
    // Uppy's `name` meta is the filename; the item's name is its own field.
    file.meta.title = file.meta.title || file.name.replace(/\.[^.]+$/, '')
    return file
  },
})

uppy.use(Dashboard, {
  inline: true,
  target: '#uppy-dashboard',
  height: 420,
  width: '100%',
  proudlyDisplayPoweredByUppy: false,
  showProgressDetails: true,
  note: `Images, video, audio and documents, up to ${config.maxLabel} each.`,
  metaFields: [
    { id: 'title', name: 'Name', placeholder: 'What is it?' },
    { id: 'caption', name: 'Caption', placeholder: 'Optional' },
  ],
})

uppy.use(AwsS3, {
  shouldUseMultipart: (file) => file.size > config.multipartThreshold,
  // Parts of at least 8 MiB, few enough to stay under S3's 10,000.
  getChunkSize: (file) => Math.max(8 * MiB, Math.ceil(file.size / MAX_PARTS)),
  retryDelays: [0, 1000, 3000, 5000],

  async getUploadParameters (file) {
    const created = await createUpload(file)
    return { method: 'POST', url: created.post.url, fields: created.post.fields, headers: {} }
  },
  async createMultipartUpload (file) {
    const created = await createUpload(file)
    return { uploadId: created.multipart.upload_id, key: created.multipart.key }
  },
  async signPart (file, { partNumber }) {
    const signed = await api('POST', `/${mediaId(file)}/parts`, { part_numbers: [partNumber] })
    return { method: 'PUT', url: signed.urls[String(partNumber)] }
  },
  async listParts (file) {
    const held = await api('GET', `/${mediaId(file)}/parts`)
    return held.map((part) => ({ PartNumber: part.part_number, ETag: part.etag, Size: part.size }))
  },
  async completeMultipartUpload (file, { parts }) {
    const listed = parts.map((part) => ({ part_number: part.PartNumber, etag: part.ETag }))
    await api('POST', `/${mediaId(file)}/complete`, { parts: listed })
    return { location: '' }
  },
  async abortMultipartUpload (file) {
    await api('DELETE', `/${mediaId(file)}`)
    mediaIds.delete(file.id)
  },
})

// Once bytes are in S3 the portal checks them (size, real type) before the item counts.
uppy.addPostProcessor(async (fileIDs) => {
  await Promise.all(fileIDs.map(async (fileID) => {
    const file = uppy.getFile(fileID)
    if (!file || !mediaIds.has(fileID)) return
    uppy.emit('postprocess-progress', file, { mode: 'indeterminate', message: 'Checking the file' })
    try {
      await api('POST', `/${mediaIds.get(fileID)}/finish`)
    } catch (error) {
      if (error.status === 504) {
        // A very large file outlasts API Gateway's 29 s; the portal carries on regardless.
        uppy.info(`${file.name} is still being checked; it will show as ready in your media list.`, 'info', 10000)
      } else {
        // Shown on the file and in the status bar as a failure, not a green "Complete".
        uppy.emit('upload-error', uppy.getFile(fileID), error)
        uppy.info(`${file.name}: ${error.message}`, 'error', 30000)
      }
    }
    uppy.emit('postprocess-complete', file)
  }))
})

// A file removed before it finished takes its pending record (and any bytes) with it.
uppy.on('file-removed', (file) => {
  const id = mediaIds.get(file.id)
  if (id && !file.progress.uploadComplete) {
    api('DELETE', `/${id}`).catch(() => {})
  }
  mediaIds.delete(file.id)
})

uppy.on('complete', (result) => {
  const ready = result.successful.filter((file) => !uppy.getFile(file.id)?.error).length
  if (ready) {
    document.getElementById('upload-status').textContent =
      `${ready} file${ready === 1 ? '' : 's'} uploaded and checked. They are in your media list.`
  }
})

setUpResume({ uppy, api, mediaIds })

root.hidden = false
