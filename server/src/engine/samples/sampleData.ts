import type { CodeEntry } from '../config/types';

/*
 * The material sample users are made of: names from several languages (the non-ASCII ones are the
 * point: producers that mangle them are a real source of trouble), places, and the codes used when
 * no institution code tables are configured (the same as samples/code-tables.json).
 */

/** A name as written, and its ASCII form for identifiers and e-mail addresses. */
export type Name = readonly [written: string, ascii: string];

export const FIRST_NAMES: readonly Name[] = [
  ['Amélie', 'amelie'], ['Søren', 'soren'], ['José', 'jose'], ['Łukasz', 'lukasz'], ['Zoë', 'zoe'],
  ['François', 'francois'], ['Björk', 'bjork'], ['Chloé', 'chloe'], ['Jürgen', 'jurgen'], ['Inés', 'ines'],
  ['小明', 'xiaoming'], ['花子', 'hanako'], ['Đức', 'duc'], ['Ayşe', 'ayse'], ['Nikolaos', 'nikolaos'],
  ['Siobhán', 'siobhan'], ['Tāne', 'tane'], ['Olusegun', 'olusegun'], ['Priya', 'priya'], ['Jordan', 'jordan'],
  ['Emily', 'emily'], ['Mateo', 'mateo'], ['Ngozi', 'ngozi'], ['Yusuf', 'yusuf'], ['Hana', 'hana'],
  ['Oliver', 'oliver'], ['Léa', 'lea'], ['Dvořák', 'dvorak'], ['Aleksandr', 'aleksandr'], ['Maëlle', 'maelle'],
];

export const MIDDLE_NAMES: readonly Name[] = [
  ['Françoise', 'francoise'], ['Rāwiri', 'rawiri'], ['Marie', 'marie'], ['James', 'james'], ['Ngozi', 'ngozi'],
  ['Åsa', 'asa'], ['Luis', 'luis'], ['Anne', 'anne'],
];

export const LAST_NAMES: readonly Name[] = [
  ['Dubois-Lefèvre', 'dubois'], ['Müller', 'muller'], ['García Márquez', 'garcia'], ['Kowalczyk', 'kowalczyk'],
  ['Ólafsdóttir', 'olafsdottir'], ['Nguyễn', 'nguyen'], ['王', 'wang'], ['山田', 'yamada'], ['Şahin', 'sahin'],
  ['Papadopoulos', 'papadopoulos'], ['O\'Connell', 'oconnell'], ['Ngata', 'ngata'], ['Okonkwo-Sørensen', 'okonkwo'],
  ['Sharma', 'sharma'], ['MacLeod', 'macleod'], ['Smith', 'smith'], ['Hernández', 'hernandez'], ['Eze', 'eze'],
  ['Demir', 'demir'], ['Kim', 'kim'], ['Johansson', 'johansson'], ['Moreau', 'moreau'], ['Novák', 'novak'],
  ['Ivanova', 'ivanova'], ['Lefebvre', 'lefebvre'],
];

export interface Place {
  city: string;
  state?: string;
  postalCode: string;
  /** An ISO 3166 alpha-3 code, as Alma's Country table uses. */
  country: string;
  phonePrefix: string;
  streets: readonly string[];
}

export const PLACES: readonly Place[] = [
  { city: 'Montréal', state: 'QC', postalCode: 'H3T 1J4', country: 'CAN', phonePrefix: '+1 514 555', streets: ['rue de l\'Université', 'boulevard Saint-Laurent', 'avenue des Pins'] },
  { city: 'Springfield', state: 'IL', postalCode: '62704', country: 'USA', phonePrefix: '+1 217 555', streets: ['Graduate Court', 'University Avenue', 'Oak Street'] },
  { city: 'Lyon', postalCode: '69003', country: 'FRA', phonePrefix: '+33 4 72 55', streets: ['avenue des Tilleuls', 'rue Garibaldi', 'cours Lafayette'] },
  { city: 'München', postalCode: '80331', country: 'DEU', phonePrefix: '+49 89 555', streets: ['Schäfflerstraße', 'Ludwigstraße', 'Türkenstraße'] },
  { city: 'Edinburgh', postalCode: 'EH8 9YL', country: 'GBR', phonePrefix: '+44 131 555', streets: ['South Bridge', 'Nicolson Street', 'Buccleuch Place'] },
  { city: 'Ciudad de México', state: 'CDMX', postalCode: '04510', country: 'MEX', phonePrefix: '+52 55 5555', streets: ['Avenida Universidad', 'Calle Niño Perdido', 'Insurgentes Sur'] },
];

const c = (code: string, description: string): CodeEntry => ({ code, description });

/** The code tables used when none is configured: those of samples/code-tables.json. */
export const DEFAULT_CODES: Record<string, CodeEntry[]> = {
  userGroups: [c('STUDENT', 'Undergraduate student'), c('GRAD', 'Graduate student'), c('FACULTY', 'Faculty'), c('STAFF', 'Staff'), c('ALUMNI', 'Alumni'), c('VISITOR', 'Visiting scholar')],
  identifierTypes: [c('BARCODE', 'Barcode'), c('UNIV_ID', 'University ID'), c('ORCID', 'ORCID iD')],
  addressTypes: [c('home', 'Home'), c('work', 'Work'), c('school', 'School'), c('alternative', 'Alternative')],
  emailTypes: [c('personal', 'Personal'), c('work', 'Work'), c('school', 'School'), c('alternative', 'Alternative')],
  phoneTypes: [c('home', 'Home'), c('mobile', 'Mobile'), c('office', 'Office'), c('work', 'Work'), c('officeFax', 'Office fax')],
  statisticCategories: [c('DEPT_HIST', 'Department of History'), c('DEPT_CHEM', 'Department of Chemistry'), c('DEPT_MATH', 'Department of Mathematics'), c('UG', 'Undergraduate'), c('PG', 'Postgraduate')],
  statisticalTypes: [c('DEPT', 'Department'), c('LEVEL', 'Study level')],
  noteTypes: [c('CIRCULATION', 'Circulation'), c('REGISTRAR', 'Registrar'), c('ERP', 'ERP'), c('OTHER', 'Other')],
  blockTypes: [c('GENERAL', 'General'), c('LOAN', 'Loan')],
  blockDescriptions: [c('01', 'Unpaid fines'), c('02', 'Overdue items'), c('03', 'Registrar hold')],
  campusCodes: [c('MAIN', 'Main campus'), c('NORTH', 'North campus')],
  userTitles: [c('Dr', 'Dr.'), c('Mr', 'Mr.'), c('Ms', 'Ms.'), c('Mx', 'Mx.'), c('Prof', 'Professor')],
  jobCategories: [c('LIBRARIAN', 'Librarian'), c('LECTURER', 'Lecturer'), c('RESEARCHER', 'Researcher'), c('ADMIN', 'Administrative staff')],
  genders: [c('MALE', 'Male'), c('FEMALE', 'Female'), c('OTHER', 'Other'), c('NONE', 'Not specified')],
  preferredLanguages: [c('en', 'English'), c('fr', 'French'), c('de', 'German'), c('es', 'Spanish')],
  countries: [c('USA', 'United States'), c('CAN', 'Canada'), c('GBR', 'United Kingdom'), c('FRA', 'France'), c('DEU', 'Germany'), c('MEX', 'Mexico')],
  catalogerLevels: [c('00', '[00] Default level'), c('10', '[10] Cataloger')],
  libraryNotices: [c('FulUserBorrowingActivityLetter', 'User borrowing activity letter'), c('FulUserOverdueNoticeLetter', 'Overdue notice letter')],
  rsLibraries: [c('MAIN_RS', 'Main resource sharing library')],
};

export const NOTE_TEXTS: readonly string[] = [
  'Enrolment confirmed by Records & Admissions',
  'Extended loan period approved by the Dean & the Librarian',
  'Card replaced after loss; old barcode withdrawn',
  'Interlibrary loan privileges granted for the thesis year',
  'Prefers notices in French — «merci»',
];

export const RESEARCH_TOPICS: readonly (readonly [organization: string, name: string, keyword: string])[] = [
  ['HIST', 'Department of History', 'Medieval France'],
  ['CHEM', 'Department of Chemistry', 'Spectroscopy'],
  ['MATH', 'Department of Mathematics', 'Algebraic topology'],
  ['LING', 'Department of Linguistics', 'Tonal languages'],
  ['BIO', 'Department of Biology', 'Coral reef ecology'],
];
