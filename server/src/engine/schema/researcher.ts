/**
 * The `researcher` element of the v2 user (rest_researcher.xsd, "For Esploro use only").
 * Structure, occurrences and lengths follow the 2022 XSD copy; the live Developer Network page
 * lists later fields (profile_identifier_url, update_ORCID_profile...) that are not modelled here.
 * Code tables the configuration does not know (OrganizationPositions, EsploroPortalField,
 * ResearchTopicsLabels, ResearchLanguagesNames, ResearcherEngagementTypes) are left without a
 * codeTable key, so those values are checked for length only.
 */
import { codeWithDesc, group, list, text, typed, userIdentifiersList } from './elementBuilders';
import type { ElementDef } from './types';

/** researcher_organization_affiliation, the one type behind all four affiliation lists. */
function affiliation(name: string): ElementDef {
  return group(name, 'all', [
    text('organization_code', 255),
    text('organization_name', 255),
    typed('start_date', 'date'),
    typed('end_date', 'date'),
    codeWithDesc('position'),
    text('title', 255),
    text('positionOrder', 255),
  ]);
}

export const RESEARCHER_ELEMENT: ElementDef = group(
  'researcher',
  'all',
  [
    text('researcher_first_name', 255),
    text('researcher_middle_name', 255),
    text('researcher_last_name', 255),
    text('researcher_suffix', 255),
    codeWithDesc('researcher_title', { codeTable: 'userTitles' }),
    text('profile_image_url'),
    text('photo_url'),
    text('display_title', 255),
    codeWithDesc('position'),
    codeWithDesc('portal_profile'),
    text('auto_capture', 20),
    text('research_center', 20),
    typed('previous_affiliated', 'boolean'),
    codeWithDesc('default_publication_language', { codeTable: 'preferredLanguages' }),
    list(
      'researcher_alternate_emails',
      group('researcher_alternate_email', 'sequence', [text('email_address', 255, { min: 1 })]),
    ),
    list('researcher_organization_affiliations', affiliation('researcher_organization_affiliation')),
    list('researcher_previous_organization_affiliations', affiliation('researcher_previous_organization_affiliation')),
    list('researcher_external_organization_affiliations', affiliation('researcher_external_organization_affiliation')),
    list(
      'researcher_previous_external_organization_affiliations',
      affiliation('researcher_previous_external_organization_affiliation'),
    ),
    list(
      'researcher_name_variants',
      group('researcher_name_variant', 'sequence', [
        text('first_name', 255),
        text('middle_name', 255),
        text('last_name', 255),
        text('name_suffix', 255),
      ]),
    ),
    list(
      'researcher_engagement_types',
      group(
        'researcher_engagement_type',
        'sequence',
        [codeWithDesc('researcher_engagement'), typed('engagement_end_date', 'date')],
        // The only bounded repetition in either XSD.
        { max: 5 },
      ),
    ),
    list('researcher_research_topics', codeWithDesc('researcher_research_topic')),
    list('researcher_keywords', group('researcher_keyword', 'sequence', [text('value', undefined, { min: 1 })])),
    list('researcher_associations', group('researcher_association', 'sequence', [text('value', undefined, { min: 1 })])),
    list('researcher_languages', codeWithDesc('researcher_language')),
    list(
      'researcher_honors',
      group('researcher_honor', 'sequence', [
        text('organization_code', 255),
        text('organization_name', 255),
        text('title', 255),
        text('time_period', 255),
      ]),
    ),
    list(
      'researcher_educations',
      group('researcher_education', 'sequence', [
        text('organization_code', 255),
        text('organization_name', 255),
        text('degree', 255),
        typed('from_year', 'int'),
        typed('to_year', 'int'),
        text('field_of_study', 255),
        text('additional_details', 255),
        typed('suppress_from_public_portal', 'boolean'),
      ]),
    ),
    list(
      'researcher_descriptions',
      group('researcher_description', 'sequence', [text('description', undefined, { min: 1 })]),
    ),
    list(
      'researcher_webpages',
      group('researcher_webpage', 'sequence', [
        text('url', undefined, { min: 1 }),
        text('title'),
        text('description'),
        text('type'),
      ]),
    ),
    userIdentifiersList(false),
  ],
  { role: 'researcher', researcher: true, label: 'researcher data' },
);
