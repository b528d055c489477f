// The sandbox's DNS catcher speaks this much DNS: a query's first question, and NXDOMAIN for it.

/** The first question's name and type of a DNS query, or undefined when it is not one. */
export function dnsQuestion(msg: Buffer): { name: string; type: number; end: number } | undefined {
  if (msg.length < 17) return undefined;
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length) {
    const len = msg[i]!;
    if (len === 0) break;
    if (len > 63 || i + 1 + len > msg.length) return undefined;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  if (i + 5 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

/** NXDOMAIN for the query, question echoed. */
export function nxdomain(msg: Buffer, end: number): Buffer {
  const out = Buffer.from(msg.subarray(0, end));
  out[2] = 0x80 | (msg[2]! & 0x01); // QR, RD copied
  out[3] = 0x80 | 3; // RA, NXDOMAIN
  out.writeUInt16BE(1, 4);
  out.writeUInt32BE(0, 6);
  out.writeUInt16BE(0, 10);
  return out;
}
