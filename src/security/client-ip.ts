/**
 * What per-client limits count: the client's address, as one host controls it. An IPv4 address
 * is one client. An IPv6 host is given a whole /64 network (2^64 addresses, SLAAC picks any of
 * them and privacy extensions change it daily), so counting whole IPv6 addresses would give
 * one attacker endless fresh counts: an IPv6 client is its /64. An IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, what a dual-stack socket reports) is the IPv4 address it carries.
 */

/**
 * The key per-client limits count `ip` under: an IPv4 address as it is, an IPv6 address as its
 * /64 network (`2001:db8:1:2::/64`), an IPv4-mapped IPv6 address as its IPv4 address. Text
 * that is not an IP address is answered unchanged.
 *
 * @example
 * ```ts
 * clientKey('203.0.113.7');              // '203.0.113.7'
 * clientKey('2001:db8:1:2:aaaa::1');     // '2001:db8:1:2::/64'
 * clientKey('::ffff:203.0.113.7');       // '203.0.113.7'
 * ```
 */
export function clientKey(ip: string): string {
  // IPv4, the common case, costs one scan.
  if (!ip.includes(':')) return ip;
  // What a dual-stack socket reports for an IPv4 client, without parsing the whole address.
  if (ip.startsWith('::ffff:') && dottedBytes(ip.slice(7)) !== undefined) return ip.slice(7);
  const groups = hextets(ip);
  if (groups === undefined) return ip;
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    const [high, low] = [groups[6]!, groups[7]!];
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups[0]!.toString(16)}:${groups[1]!.toString(16)}:${groups[2]!.toString(16)}:${groups[3]!.toString(16)}::/64`;
}

/** The four bytes of a dotted IPv4 address (`203.0.113.7`), else `undefined`. */
function dottedBytes(text: string): number[] | undefined {
  const bytes = [0];
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 /* . */) {
      if (digits === 0 || bytes.length === 4) return undefined;
      bytes.push(0);
      digits = 0;
    } else if (code >= 48 && code <= 57 && digits < 3) {
      const value = bytes[bytes.length - 1]! * 10 + code - 48;
      if (value > 255) return undefined;
      bytes[bytes.length - 1] = value;
      digits++;
    } else {
      return undefined;
    }
  }
  return bytes.length === 4 && digits > 0 ? bytes : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a zone `%eth0` ignored), or `undefined`. */
function hextets(ip: string): number[] | undefined {
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  const gap = address.indexOf('::');
  if (gap !== -1 && address.indexOf('::', gap + 1) !== -1) return undefined;
  const head = parseGroups(gap === -1 ? address : address.slice(0, gap));
  const tail = gap === -1 ? [] : parseGroups(address.slice(gap + 2));
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (gap === -1 ? missing !== 0 : missing < 1) return undefined;
  for (let i = 0; i < (gap === -1 ? 0 : missing); i++) head.push(0);
  for (const group of tail) head.push(group);
  return head;
}

/** The groups of one side of `::`; a dotted IPv4 address at the end is two groups. */
function parseGroups(text: string): number[] | undefined {
  const groups: number[] = [];
  if (text === '') return groups;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(':', start);
    if (end === -1) end = text.length;
    const part = text.slice(start, end);
    if (end === text.length && part.includes('.')) {
      const bytes = dottedBytes(part);
      if (bytes === undefined) return undefined;
      groups.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    } else {
      const group = hexGroup(part);
      if (group === undefined) return undefined;
      groups.push(group);
    }
    if (groups.length > 8) return undefined;
    start = end + 1;
  }
  return groups;
}

/** One to four hex digits as a number, else `undefined`. */
function hexGroup(part: string): number | undefined {
  if (part.length === 0 || part.length > 4) return undefined;
  let value = 0;
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    const digit =
      code >= 48 && code <= 57
        ? code - 48
        : code >= 97 && code <= 102
          ? code - 87
          : code >= 65 && code <= 70
            ? code - 55
            : -1;
    if (digit === -1) return undefined;
    value = value * 16 + digit;
  }
  return value;
}
