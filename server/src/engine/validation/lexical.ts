import type { ValueType } from '../schema/types';
import { excerpt } from '../text/excerpt';

/**
 * Lexical checks of typed values, as XSD 1.0 defines them (and v1's compact dates). Each returns
 * null when the value is fine, or what is wrong, for the message (and, for a date whose intent is
 * clear, the value to write).
 */

const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;
const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const INT = /^[+-]?\d+$/;
const FLOAT = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|-?INF|NaN)$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function validZone(zone: string | undefined): boolean {
  if (!zone || zone === 'Z') return true;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return minutes < 60 && (hours < 14 || (hours === 14 && minutes === 0));
}

export interface LexicalProblem {
  kind: string; // "whole number", "number", "boolean"
  expected: string;
}

/**
 * An xs:date (YYYY-MM-DD, optional Z or +hh:mm) as the number YYYYMMDD, or -1. Hand-written
 * because every user carries several dates: a regex match allocates on each.
 */
export function parseXsDate(value: string): number {
  const n = value.length;
  if (n !== 10 && n !== 11 && n !== 16) return -1;
  if (value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d) return -1;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (year <= 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  if (n === 11 && value.charCodeAt(10) !== 0x5a) return -1;
  if (n === 16) {
    const sign = value.charCodeAt(10);
    const hours = digits(value, 11, 13);
    const minutes = digits(value, 14, 16);
    if ((sign !== 0x2b && sign !== 0x2d) || value.charCodeAt(13) !== 0x3a || hours < 0 || minutes < 0 || minutes > 59) return -1;
    if (hours > 14 || (hours === 14 && minutes !== 0)) return -1;
  }
  return year * 10000 + month * 100 + day;
}

function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = value.charCodeAt(k) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** What a date value (xs:date, xs:dateTime, v1's YYYYMMDD) gets wrong, for the invalid-date message. */
export interface DateProblem {
  /** How the message ends: "a day: February 2031 has 28 days", "a valid date: write it as 2025-12-31 (...)". */
  problem: string;
  /**
   * The same date as the type wants it written, when the intent is clear: the message tells to
   * write exactly this, and the quick fix writes it (one source for both).
   */
  suggestion?: string;
}

export type DateType = 'date' | 'dateTime' | 'compactDate';

export function isDateType(type: ValueType): type is DateType {
  return type === 'date' || type === 'dateTime' || type === 'compactDate';
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Why a date written in the right shape is no day of the calendar ("February 2031 has 28 days"), or undefined when it is one. */
function noSuchDay(y: string, m: string, d: string): string | undefined {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  // XSD 1.0 has no year 0000 (1 BCE is -0001).
  if (year === 0) return 'there is no year 0000 (the year before 0001 is -0001)';
  if (month < 1 || month > 12) return `there is no month ${m}`;
  if (day < 1) return `there is no day ${d}`;
  const days = daysInMonth(year, month);
  // xs:date years may run to any length; the message quotes a bounded excerpt.
  return day > days ? `${MONTHS[month - 1]} ${excerpt(y)} has ${days} days` : undefined;
}

const ISO_WITH_TIME = /^(\d{4})-(\d{2})-(\d{2})T[\d:.]+(Z|[+-]\d{2}:\d{2})?$/;
const FOUR_DIGIT_DATE = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;

/** A value of a date type checked, or null when it is fine. Only bad values pay for more than parseXsDate. */
export function checkDate(type: DateType, value: string): DateProblem | null {
  switch (type) {
    case 'date': {
      if (parseXsDate(value) >= 0) return null;
      // Years beyond four digits and negative years are valid xs:date too, if rare.
      const m = DATE.exec(value);
      if (m) {
        const why = noSuchDay(m[1], m[2], m[3]);
        if (why) return { problem: `a day: ${why}` };
        if (validZone(m[4])) return null;
        return { problem: `a valid date: the zone ${m[4]} is not one (from -14:00 to +14:00)` };
      }
      const compact = COMPACT_DATE.exec(value);
      if (compact && !noSuchDay(compact[1], compact[2], compact[3])) {
        const to = `${compact[1]}-${compact[2]}-${compact[3]}`;
        return { problem: `a valid date: write it as ${to} (YYYY-MM-DD, optionally with a zone)`, suggestion: to };
      }
      const withTime = ISO_WITH_TIME.exec(value);
      if (withTime && !noSuchDay(withTime[1], withTime[2], withTime[3])) {
        const to = `${withTime[1]}-${withTime[2]}-${withTime[3]}${withTime[4] ?? ''}`;
        return { problem: `a valid date: a date has no time part, write ${to}`, suggestion: to };
      }
      return { problem: 'a valid date: write YYYY-MM-DD, optionally with a zone, e.g. 2027-06-30Z' };
    }
    case 'dateTime': {
      const m = DATE_TIME.exec(value);
      if (m) {
        const why = noSuchDay(m[1], m[2], m[3]);
        if (why) return { problem: `a day: ${why}` };
        if (!validTime(m[4], m[5], m[6])) return { problem: `a valid date and time: there is no time ${m[4]}:${m[5]}:${m[6]}` };
        if (validZone(m[8])) return null;
        return { problem: `a valid date and time: the zone ${m[8]} is not one (from -14:00 to +14:00)` };
      }
      const dateOnly = DATE.exec(value);
      if (dateOnly && !noSuchDay(dateOnly[1], dateOnly[2], dateOnly[3])) {
        // No suggestion: the time of day is not in the file, and inventing one would be a guess.
        return { problem: `a valid date and time: it needs a time of day, e.g. ${dateOnly[1]}-${dateOnly[2]}-${dateOnly[3]}T00:00:00Z` };
      }
      return { problem: 'a valid date and time: write an xs:dateTime such as 2027-06-30T14:36:48Z' };
    }
    case 'compactDate': {
      const m = COMPACT_DATE.exec(value);
      if (m) {
        const why = noSuchDay(m[1], m[2], m[3]);
        return why ? { problem: `a day: ${why}` } : null;
      }
      const iso = FOUR_DIGIT_DATE.exec(value);
      if (iso && !noSuchDay(iso[1], iso[2], iso[3])) {
        const to = `${iso[1]}${iso[2]}${iso[3]}`;
        return { problem: `a v1 date: write it as ${to} (YYYYMMDD)`, suggestion: to };
      }
      return { problem: 'a v1 date: v1 dates are written YYYYMMDD, e.g. 20270630' };
    }
    default:
      return null;
  }
}

/** The other typed values (numbers, booleans), or null when the value is fine; dates are checkDate's. */
export function checkLexical(type: ValueType, value: string): LexicalProblem | null {
  switch (type) {
    case 'int': {
      if (INT.test(value) && Math.abs(Number(value)) <= 2147483647 && Number(value) >= -2147483648) return null;
      return { kind: 'whole number', expected: 'write a whole number' };
    }
    case 'float':
      return FLOAT.test(value) ? null : { kind: 'number', expected: 'write a number such as 12.50' };
    case 'boolean':
      return isBoolean(value) ? null : { kind: 'boolean', expected: 'use true, false, 1 or 0' };
    default:
      return null;
  }
}

function validTime(h: string, m: string, s: string): boolean {
  const hours = Number(h);
  const minutes = Number(m);
  const seconds = Number(s);
  return (hours < 24 && minutes < 60 && seconds < 60) || (hours === 24 && minutes === 0 && seconds === 0);
}

export function isBoolean(value: string): boolean {
  return value === 'true' || value === 'false' || value === '1' || value === '0';
}

export function isTrue(value: string): boolean {
  return value === 'true' || value === '1';
}

/** The calendar date of a four-digit-year xs:date or compact date as YYYYMMDD, or -1. */
export function dateKey(type: ValueType, value: string): number {
  if (type === 'compactDate') return COMPACT_DATE.test(value) ? Number(value) : -1;
  return parseXsDate(value);
}
