/**
 * XDS times are UTC `YYYY[MM[DD[hh[mm[ss]]]]]` (IHE ITI TF-3 §4.2.3.1.7; MSS/DMP digest §B2, §C4: "all XDS
 * dates/times are UTC"). The CDA gives a local TS with its offset (`20210108111700+0100`).
 */

const TS = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})?(\d{2})?(?:\.\d{1,4})?)?([+-])?(\d{2})?(\d{2})?$/;

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** Offset of Europe/Paris from UTC at this instant, in minutes. */
function parisOffsetMinutes(utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of parisParts.formatToParts(new Date(utcMs))) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** The UTC `YYYYMMDDhhmmss` form of an instant. */
export function formatXdsTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Converts a CDA TS to the XDS UTC form. A date without a time stays a date (no instant to convert). A time
 * without an offset is read as French legal time (Europe/Paris), since the CI-SIS documents are French.
 * Returns undefined when the TS is not a valid date/time.
 */
export function cdaTimeToXds(ts: string): string | undefined {
  const m = TS.exec(ts.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  if (h === undefined) return `${y}${mo}${d}`;
  const hour = Number(h);
  const minute = Number(mi ?? '0');
  const second = Number(s ?? '0');
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (sign !== undefined && (oh === undefined || om === undefined || Number(om) > 59)) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  let offset: number;
  if (sign === undefined) {
    offset = parisOffsetMinutes(wall - parisOffsetMinutes(wall) * 60000);
  } else {
    offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  return formatXdsTime(new Date(wall - offset * 60000));
}
