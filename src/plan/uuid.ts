import { createHash } from 'node:crypto';

/** Namespace of fixturegen's synthesized UUIDs (a fixed random UUID, so values never change). */
export const FIXTUREGEN_NAMESPACE = '3f1c9a52-6d0e-4b7a-9c41-2e8f5d6a7b90';

/** RFC 4122 version-5 UUID (SHA-1 of namespace and name), as canonical lower-case text. */
export function uuid5(name: string, namespace: string = FIXTUREGEN_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
