/**
 * IP addresses as 16 bytes, IPv4 as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`): one
 * comparison then covers IPv4, IPv6 and the mapped addresses a dual-stack Node socket
 * reports (`::ffff:127.0.0.1`).
 */
export type IpBytes = Uint8Array;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

function ipv4Bytes(text: string): number[] | undefined {
  const parts = IPV4.exec(text);
  if (parts === null) return undefined;
  const bytes = parts.slice(1).map(Number);
  // A leading zero is octal to some parsers: refuse it rather than guess.
  if (parts.slice(1).some((part) => part.length > 1 && part.startsWith("0"))) return undefined;
  return bytes.every((byte) => byte <= 255) ? bytes : undefined;
}

/** The 16-bit groups of one side of `::`, an IPv4 tail counting as two. */
function groupsOf(side: string, allowIpv4Tail: boolean): number[] | undefined {
  if (side === "") return [];
  const parts = side.split(":");
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (allowIpv4Tail && index === parts.length - 1 && part.includes(".")) {
      const v4 = ipv4Bytes(part);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else if (HEX_GROUP.test(part)) groups.push(Number.parseInt(part, 16));
    else return undefined;
  }
  return groups;
}

function ipv6Groups(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  if (halves.length === 1) {
    const groups = groupsOf(text, true);
    return groups?.length === 8 ? groups : undefined;
  }
  const head = groupsOf(halves[0] as string, false);
  const tail = groupsOf(halves[1] as string, true);
  if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/**
 * Parses an IPv4 or IPv6 address (a zone such as `%eth0` ignored) into 16 bytes, or
 * `undefined` for anything else (a port, brackets, a host name): such an entry is never
 * a trusted proxy.
 *
 * @example
 * ```ts
 * parseIp("10.0.0.1"); // the bytes of ::ffff:10.0.0.1
 * ```
 */
export function parseIp(text: string): IpBytes | undefined {
  const v4 = ipv4Bytes(text);
  if (v4 !== undefined) return Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4);
  const zone = text.indexOf("%");
  const groups = text.includes(":") ? ipv6Groups(zone < 0 ? text : text.slice(0, zone)) : undefined;
  if (groups === undefined) return undefined;
  return Uint8Array.from(groups.flatMap((group) => [group >> 8, group & 0xff]));
}

/** A range of addresses: the first `bits` bits of `network` (of the 128). */
export interface IpRange {
  readonly network: IpBytes;
  readonly bits: number;
}

const PREFIX = /^\d{1,3}$/;

/**
 * Parses an address (`10.0.0.1`, `::1`) or a CIDR range (`10.0.0.0/8`, `fc00::/7`); an IPv4
 * prefix counts within the mapped form, so `10.0.0.0/8` also holds `::ffff:10.1.2.3`.
 *
 * @example
 * ```ts
 * parseRange("192.168.0.0/16"); // { network, bits: 112 }
 * ```
 */
export function parseRange(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const network = parseIp(address);
  if (network === undefined) return undefined;
  const width = ipv4Bytes(address) === undefined ? 128 : 32;
  if (slash < 0) return { network, bits: 128 };
  const prefix = text.slice(slash + 1);
  if (!PREFIX.test(prefix) || Number(prefix) > width) return undefined;
  return { network, bits: 128 - width + Number(prefix) };
}

/**
 * Whether `address` lies within `range`.
 *
 * @example
 * ```ts
 * inRange(parseIp("::ffff:10.1.2.3")!, parseRange("10.0.0.0/8")!); // true
 * ```
 */
export function inRange(address: IpBytes, range: IpRange): boolean {
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== range.network[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[whole] as number) & mask) === ((range.network[whole] as number) & mask);
}
