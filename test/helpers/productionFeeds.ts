/*
 * Files shaped like the SIS feeds real libraries run every night (see ../shared/alma/ecosystem.md
 * for what each producer writes), generated here with made-up people: the shapes, not the data.
 * Each is clean in the sense that Alma loads it: what the validator says about them must be
 * what a librarian would agree with, said once.
 */

const GIVEN = ['Ana', 'Bo', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah', 'Gustav', 'Hiroshi', 'Ines', 'José'];
const FAMILY = ['Okafor', 'Lindqvist', 'Nguyễn', 'Kowalski', 'García', 'Smith', '山田', 'Müller', 'Haddad', 'Ó Briain'];

function person(k: number) {
  return { first: GIVEN[k % GIVEN.length]!, last: FAMILY[(k * 7) % FAMILY.length]!, id: String(100000 + k) };
}

/**
 * MIT's patron load: a `<userRecords>` root (no namespace) around v2 users made from a template
 * with profile-set fields, empty placeholders for fields SIS ignores, roles (ignored by SIS),
 * `Z` dates, and an empty or `false` `is_researcher` (alternating).
 */
export function mitFeed(users: number): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>\n<userRecords>\n'];
  for (let k = 0; k < users; k++) {
    const p = person(k);
    out.push(`  <user>
    <record_type desc="Public">PUBLIC</record_type>
    <primary_id>KRB${p.id}@MIT.EDU</primary_id>
    <first_name>${p.first}</first_name>
    <last_name>${p.last}</last_name>
    <user_title desc="" />
    <job_description />
    <user_group>32</user_group>
    <campus_code desc="" />
    <preferred_language desc="English">en</preferred_language>
    <expiry_date>2027-06-01Z</expiry_date>
    <purge_date>2029-12-01Z</purge_date>
    <account_type desc="External">EXTERNAL</account_type>
    <external_id>SIS</external_id>
    <password />
    <force_password_change />
    <status desc="Active">ACTIVE</status>
    <status_date />
    <contact_info>
      <addresses>
        <address preferred="true" segment_type="External">
          <line1>${k} Main St</line1>
          <city>Cambridge</city>
          <postal_code>02139</postal_code>
          <address_types><address_type desc="Work">work</address_type></address_types>
        </address>
      </addresses>
      <emails>
        <email preferred="true" segment_type="External">
          <email_address>krb${p.id}@mit.edu</email_address>
          <email_types><email_type desc="Work">work</email_type></email_types>
        </email>
      </emails>
    </contact_info>
    <pref_first_name />
    <pref_last_name />
    <pref_name_suffix />
    ${k % 2 === 0 ? '<is_researcher />' : '<is_researcher>false</is_researcher>'}
    <user_identifiers>
      <user_identifier segment_type="External">
        <id_type desc="Barcode">01</id_type>
        <value>3${p.id}0000</value>
        <status>ACTIVE</status>
      </user_identifier>
    </user_identifiers>
    <user_roles>
      <user_role>
        <status desc="Active">ACTIVE</status>
        <scope desc="Institution">01MIT_INST</scope>
        <role_type desc="Patron">200</role_type>
        <parameters />
      </user_role>
    </user_roles>
    <user_blocks />
    <user_notes />
    <user_statistics>
      <user_statistic segment_type="External">
        <statistic_category desc="">SN</statistic_category>
      </user_statistic>
    </user_statistics>
    <proxy_for_users />
  </user>
`);
  }
  out.push('</userRecords>\n');
  return out.join('');
}

/**
 * Berkeley's user load: provenance comments after the declaration, `segment_type="Internal"`
 * (allowed, though SIS ignores it), an empty `<start_date/>` in addresses, plain dates, and
 * `<pref_full_name>`, which the 2022 schema copy lacks.
 */
export function berkeleyFeed(users: number): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<!-- GIT_COMMIT: 0123abc -->\n<!-- VERSION: 2.4.1 -->\n<users>\n'];
  for (let k = 0; k < users; k++) {
    const p = person(k);
    out.push(`  <user>
    <primary_id>${p.id}</primary_id>
    <first_name>${p.first}</first_name>
    <last_name>${p.last}</last_name>
    <pref_first_name>${p.first}</pref_first_name>
    <pref_full_name>${p.first} ${p.last}</pref_full_name>
    <user_group desc="Undergraduate">UNDERGRAD</user_group>
    <expiry_date>2027-06-30</expiry_date>
    <purge_date>2028-06-30</purge_date>
    <contact_info>
      <addresses>
        <address preferred="true" segment_type="Internal">
          <line1>${k} Bancroft Way</line1>
          <city>Berkeley</city>
          <start_date/>
          <address_types><address_type>home</address_type></address_types>
        </address>
      </addresses>
      <emails>
        <email preferred="true" segment_type="Internal">
          <email_address>u${p.id}@berkeley.edu</email_address>
          <email_types><email_type>school</email_type></email_types>
        </email>
      </emails>
    </contact_info>
    <user_identifiers>
      <user_identifier segment_type="Internal">
        <id_type>BARCODE</id_type>
        <value>B${p.id}</value>
      </user_identifier>
    </user_identifiers>
  </user>
`);
  }
  out.push('</users>\n');
  return out.join('');
}

/**
 * Princeton's people feed: elements in a non-canonical order (legal: user is xs:all), identifiers
 * BARCODE and NET_ID with `desc`, `segment_type="External"` everywhere, ineligible people set
 * INACTIVE with an expiry of today, and the purge date of their spec, before the expiry date.
 */
export function princetonFeed(users: number): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<users>\n'];
  for (let k = 0; k < users; k++) {
    const p = person(k);
    const inactive = k % 3 === 2;
    out.push(`  <user>
    <expiry_date>${inactive ? '2026-12-01' : '2022-10-31'}</expiry_date>
    <purge_date>2021-10-31</purge_date>
    <primary_id>${p.id}</primary_id>
    <user_group desc="Graduate Student">GRAD</user_group>
    <last_name>${p.last}</last_name>
    <first_name>${p.first}</first_name>
    <status>${inactive ? 'INACTIVE' : 'ACTIVE'}</status>
    <user_identifiers>
      <user_identifier segment_type="External">
        <id_type desc="Barcode">BARCODE</id_type>
        <value>2${p.id}</value>
      </user_identifier>
      <user_identifier segment_type="External">
        <id_type desc="NetID">NET_ID</id_type>
        <value>net${p.id}</value>
      </user_identifier>
    </user_identifiers>
    <contact_info>
      <emails>
        <email preferred="true" segment_type="External">
          <email_address>net${p.id}@princeton.edu</email_address>
          <email_types><email_type desc="Work">work</email_type></email_types>
        </email>
      </emails>
    </contact_info>
    <user_statistics>
      <user_statistic segment_type="External">
        <statistic_category desc="Department">DEPT_ENG</statistic_category>
      </user_statistic>
    </user_statistics>
  </user>
`);
  }
  out.push('</users>\n');
  return out.join('');
}

/**
 * Temple's sample load: a v2 file with notes and blocks, one user whose purge date comes before
 * its expiry date, and a telephone without a type: the two things worth a librarian's look.
 */
export function templeFeed(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<users>
  <user>
    <primary_id>915001234</primary_id>
    <first_name>Maya</first_name>
    <last_name>Alvarez</last_name>
    <user_group>UNDERGRAD</user_group>
    <expiry_date>2027-05-31</expiry_date>
    <purge_date>2027-11-30</purge_date>
    <status>ACTIVE</status>
    <contact_info>
      <emails>
        <email preferred="true">
          <email_address>maya.alvarez@temple.edu</email_address>
          <email_types><email_type>school</email_type></email_types>
        </email>
      </emails>
    </contact_info>
    <user_notes>
      <user_note segment_type="External">
        <note_type>CIRCULATION</note_type>
        <note_text>Loaded from Banner.</note_text>
        <user_viewable>false</user_viewable>
        <popup_note>false</popup_note>
      </user_note>
    </user_notes>
  </user>
  <user>
    <primary_id>915005678</primary_id>
    <first_name>Kwame</first_name>
    <last_name>Mensah</last_name>
    <user_group>FACULTY</user_group>
    <expiry_date>2028-08-31</expiry_date>
    <purge_date>2026-08-31</purge_date>
    <status>ACTIVE</status>
    <contact_info>
      <phones>
        <phone preferred="true">
          <phone_number>215-555-0100</phone_number>
          <phone_types/>
        </phone>
      </phones>
    </contact_info>
  </user>
</users>
`;
}
