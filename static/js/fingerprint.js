// A file's fingerprint: the SHA-256 of its first MiB followed by its last MiB (the whole
// file, below 2 MiB), read without touching the rest. The portal stores it when an
// upload starts and compares it when the upload is resumed, possibly on another device.
const MiB = 1024 * 1024

export async function fingerprint (file) {
  const ends = new Blob([file.slice(0, MiB), file.slice(Math.max(MiB, file.size - MiB))])
  const digest = await crypto.subtle.digest('SHA-256', await ends.arrayBuffer())
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
