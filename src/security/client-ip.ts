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
  const groups = hextets(ip);
  if (groups === undefined) return ip;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high, low] = [groups[6]!, groups[7]!];
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

const HEXTET = /^[0-9a-f]{1,4}$/i;
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The eight 16-bit groups of an IPv6 address (a zone `%eth0` ignored), or `undefined`. */
function hextets(ip: string): number[] | undefined {
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
}

/** The groups of one side of `::`; a dotted IPv4 address at the end is two groups. */
function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    const dotted = i === parts.length - 1 ? DOTTED.exec(part) : null;
    if (dotted) {
      const bytes = dotted.slice(1).map(Number);
      if (bytes.some((byte) => byte > 255)) return undefined;
      groups.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    } else if (HEXTET.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
