// SPEC §8: the IMF DataMapper API's responses as dump rows. Pure: the JSON in, rows out, or
// the first key that is missing.
import { shiftDecimal } from './decimal.js';
import type { DumpRow } from './wikipedia.js';

export type ImfResult = { ok: true; rows: DumpRow[] } | { ok: false; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** billions → millions with 3 decimals, as text without exponent or trailing zeros. */
export function billionsToMillionsText(billions: number): string {
  const millions = Math.round(billions * 1000 * 1000) / 1000;
  // toFixed writes 1e+21 and beyond with an exponent, which the run cannot read (and the
  // product can overflow): the shortest digits that name the double, moved on as text.
  if (!(Math.abs(millions) < 1e21)) {
    const [mantissa, exponent = '0'] = String(billions).split('e');
    return shiftDecimal(mantissa, 3 + Number(exponent));
  }
  return millions.toFixed(3).replace(/\.?0+$/, '');
}

/** The IMF's own codes for two economies ISO 3166 codes differently (SPEC §8). */
export const IMF_CODE_TO_ISO: Readonly<Record<string, string>> = { UVK: 'XKX', WBG: 'PSE' };

/** An IMF country code as the dump writes it: ISO alpha-3, or '' when it is none (the run then looks the name up). */
export function isoCodeOf(imfCode: string): string {
  const code = IMF_CODE_TO_ISO[imfCode] ?? imfCode;
  return /^[A-Z]{3}$/.test(code) ? code : '';
}

/**
 * One row per country listed in `countries` and year with a value; codes that are not
 * countries (groups and regions such as WEOWORLD) are in `values` only and are left out.
 */
export function extractImf(values: unknown, countries: unknown, indicator: string): ImfResult {
  if (!isObject(values) || !isObject(values.values)) return { ok: false, reason: 'the values response has no "values" object' };
  const series = values.values[indicator];
  if (!isObject(series)) return { ok: false, reason: `the values response has no "values"."${indicator}" object` };
  if (!isObject(countries) || !isObject(countries.countries)) return { ok: false, reason: 'the countries response has no "countries" object' };
  const rows: DumpRow[] = [];
  for (const [code, entry] of Object.entries(countries.countries)) {
    if (!isObject(entry)) return { ok: false, reason: `the countries response's "countries"."${code}" must be an object with a "label"` };
    // The API lists a few retired codes with a null label (ATI, ATL): no country to name.
    if (typeof entry.label !== 'string' || entry.label.trim() === '') continue;
    const byYear = Object.hasOwn(series, code) ? series[code] : undefined;
    if (byYear === undefined || byYear === null) continue;
    if (!isObject(byYear)) return { ok: false, reason: `"values"."${indicator}"."${code}" must be an object of year: value, got ${JSON.stringify(byYear).slice(0, 60)}` };
    const years = Object.keys(byYear).filter((y) => /^\d{4}$/.test(y)).sort();
    for (const year of years) {
      const value = byYear[year];
      if (value === null || value === undefined || value === '') continue;
      if (typeof value === 'number' && !Number.isFinite(value)) return { ok: false, reason: `"values"."${indicator}"."${code}"."${year}" is a number too large for a double (above 1.8e308)` };
      if (typeof value !== 'number') return { ok: false, reason: `"values"."${indicator}"."${code}"."${year}" must be a number, got ${JSON.stringify(value).slice(0, 60)}` };
      rows.push({ country: entry.label, country_code: isoCodeOf(code), year, gdp_usd_million: billionsToMillionsText(value) });
    }
  }
  return { ok: true, rows };
}
