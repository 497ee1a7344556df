/**
 * An attachment's bytes as stored → its content. Incoming mail keeps encoded
 * attachment bodies as they came (the sync never decodes them, see
 * sync/incoming/parse.ts); they are decoded here, when somebody reads them.
 * Pure.
 */

export interface StoredAttachmentBytes {
  readonly content: Uint8Array | null;
  /** the transfer encoding `content` is still in; null when it is decoded already */
  readonly contentTransferEncoding: 'base64' | null;
}

export function attachmentContent(stored: StoredAttachmentBytes): Buffer {
  const bytes = stored.content ?? new Uint8Array();
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (stored.contentTransferEncoding === 'base64') {
    // Node's decoder skips line breaks and stops at padding, as mail clients do.
    return Buffer.from(buffer.toString('latin1'), 'base64');
  }
  return buffer;
}
