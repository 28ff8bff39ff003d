package locale

import "github.com/nicksnyder/go-i18n/v2/i18n"

// labelMessages are the English sources of the labels of collections,
// fields and select values (see labels.go for the ID scheme). Each select
// value of the schema must have one: TestLabels_EverySelectValue fails
// otherwise. Add the English here, run goi18n extract and merge, translate.
var labelMessages = []*i18n.Message{
	// collections
	{ID: "collection.users", Other: "Users"},
	{ID: "collection.organizations", Other: "Organizations"},
	{ID: "collection.districts", Other: "Districts and cities"},
	{ID: "collection.appeals", Other: "Appeals"},
	{ID: "collection.incident_reports", Other: "Incident reports"},
	{ID: "collection.aid_requests", Other: "Aid requests"},
	{ID: "collection.updates", Other: "Updates"},
	{ID: "collection.fact_checks", Other: "Fact-checks"},
	{ID: "collection.public_incidents", Other: "Verified incidents"},

	// fields, shared by name
	{ID: "field.email", Other: "Email"},
	{ID: "field.emailVisibility", Other: "Show email to others"},
	{ID: "field.verified", Other: "Email verified"},
	{ID: "field.name", Other: "Name"},
	{ID: "field.avatar", Other: "Photo"},
	{ID: "field.role", Other: "Role"},
	{ID: "field.language", Other: "Language"},
	{ID: "field.organization", Other: "Organization"},
	{ID: "field.region", Other: "Region"},
	{ID: "field.created", Other: "Created"},
	{ID: "field.updated", Other: "Updated"},
	{ID: "field.country", Other: "Country"},
	{ID: "field.contact", Other: "Contact"},
	{ID: "field.website", Other: "Website"},
	{ID: "field.active", Other: "Active"},
	{ID: "field.code", Other: "Code"},
	{ID: "field.name_en", Other: "Name in English"},
	{ID: "field.name_ru", Other: "Name in Russian"},
	{ID: "field.name_local", Other: "Local name"},
	{ID: "field.soate", Other: "SOATE code"},
	{ID: "field.slug", Other: "Key"},
	{ID: "field.title", Other: "Title"},
	{ID: "field.body", Other: "Text"},
	{ID: "field.official", Other: "Official text"},
	{ID: "field.translation_of", Other: "Translation of"},
	{ID: "field.adopted_on", Other: "Adopted on"},
	{ID: "field.signatories", Other: "Signatories"},
	{ID: "field.status", Other: "Status"},
	{ID: "field.reporter", Other: "Reporter"},
	{ID: "field.anonymous", Other: "Anonymous"},
	{ID: "field.occurred_at", Other: "Date and time"},
	{ID: "field.occurred_on", Other: "Date"},
	{ID: "field.district", Other: "District or city"},
	{ID: "field.place", Other: "Place"},
	{ID: "field.location", Other: "Location on the map"},
	{ID: "field.location_precision", Other: "Location precision"},
	{ID: "field.category", Other: "Category"},
	{ID: "field.description", Other: "Description"},
	{ID: "field.killed", Other: "Killed"},
	{ID: "field.injured", Other: "Injured"},
	{ID: "field.source_type", Other: "Source of information"},
	{ID: "field.photos", Other: "Photos"},
	{ID: "field.verification_note", Other: "Verification note"},
	{ID: "field.verified_by", Other: "Verified by"},
	{ID: "field.verified_at", Other: "Verified at"},
	{ID: "field.sources", Other: "Sources"},
	{ID: "field.public_summary", Other: "Public summary"},
	{ID: "field.requester", Other: "Requested by"},
	{ID: "field.beneficiary_name", Other: "Name of the person in need"},
	{ID: "field.contact_phone", Other: "Contact phone"},
	{ID: "field.needs", Other: "Needs"},
	{ID: "field.people_count", Other: "Number of people"},
	{ID: "field.vulnerable", Other: "Vulnerable people"},
	{ID: "field.urgency", Other: "Urgency"},
	{ID: "field.assigned_org", Other: "Assigned organization"},
	{ID: "field.notes", Other: "Notes"},
	{ID: "field.related_incident", Other: "Related incident"},
	{ID: "field.related_incidents", Other: "Related incidents"},
	{ID: "field.acknowledged_at", Other: "Acknowledged at"},
	{ID: "field.published_at", Other: "Published at"},
	{ID: "field.author", Other: "Author"},
	{ID: "field.claim", Other: "Claim"},
	{ID: "field.claim_source", Other: "Where the claim appeared"},
	{ID: "field.platform", Other: "Platform"},
	{ID: "field.verdict", Other: "Verdict"},
	{ID: "field.explanation", Other: "Explanation"},
	{ID: "field.evidence", Other: "Evidence"},

	// fields whose meaning depends on the collection
	{ID: "field.organizations.kind", Other: "Type of organization"},
	{ID: "field.districts.kind", Other: "Type"},

	// role
	{ID: "label.role.volunteer", Other: "Volunteer"},
	{ID: "label.role.coordinator", Other: "Coordinator"},
	{ID: "label.role.editor", Other: "Editor"},

	// language
	{ID: "label.language.tg", Other: "Tajik"},
	{ID: "label.language.ky", Other: "Kyrgyz"},
	{ID: "label.language.ru", Other: "Russian"},
	{ID: "label.language.uz-Cyrl", Other: "Uzbek (Cyrillic)"},
	{ID: "label.language.en", Other: "English"},

	// region
	{ID: "label.region.sughd", Other: "Sughd"},
	{ID: "label.region.batken", Other: "Batken"},
	{ID: "label.region.other", Other: "Other region"},

	// country
	{ID: "label.country.tj", Other: "Tajikistan"},
	{ID: "label.country.kg", Other: "Kyrgyzstan"},
	{ID: "label.country.other", Other: "Other country"},

	// organizations.kind
	{ID: "label.organizations.kind.ngo", Other: "NGO"},
	{ID: "label.organizations.kind.community_group", Other: "Community group"},
	{ID: "label.organizations.kind.medical", Other: "Medical"},
	{ID: "label.organizations.kind.legal_aid", Other: "Legal aid"},
	{ID: "label.organizations.kind.humanitarian", Other: "Humanitarian"},
	{ID: "label.organizations.kind.government", Other: "Government body"},
	{ID: "label.organizations.kind.international", Other: "International organization"},
	{ID: "label.organizations.kind.other", Other: "Other"},

	// districts.kind
	{ID: "label.districts.kind.city", Other: "City"},
	{ID: "label.districts.kind.district", Other: "District"},

	// status (reports, aid requests, published content)
	{ID: "label.status.draft", Other: "Draft"},
	{ID: "label.status.published", Other: "Published"},
	{ID: "label.status.retracted", Other: "Retracted"},
	{ID: "label.status.submitted", Other: "Submitted"},
	{ID: "label.status.in_review", Other: "In review"},
	{ID: "label.status.verified", Other: "Verified"},
	{ID: "label.status.disputed", Other: "Disputed"},
	{ID: "label.status.false", Other: "Found false"},
	{ID: "label.status.archived", Other: "Archived"},
	{ID: "label.status.open", Other: "Open"},
	{ID: "label.status.acknowledged", Other: "Acknowledged"},
	{ID: "label.status.in_progress", Other: "In progress"},
	{ID: "label.status.fulfilled", Other: "Fulfilled"},
	{ID: "label.status.closed", Other: "Closed"},
	{ID: "label.status.cancelled", Other: "Cancelled"},

	// location_precision
	{ID: "label.location_precision.exact", Other: "Exact point"},
	{ID: "label.location_precision.approximate", Other: "Approximate"},
	{ID: "label.location_precision.settlement", Other: "Village or town only"},
	{ID: "label.location_precision.district", Other: "District only"},

	// category
	{ID: "label.category.armed_clash", Other: "Armed clash"},
	{ID: "label.category.shelling", Other: "Shelling"},
	{ID: "label.category.gunfire", Other: "Gunfire"},
	{ID: "label.category.casualties", Other: "Casualties"},
	{ID: "label.category.displacement", Other: "Displacement of people"},
	{ID: "label.category.property_damage", Other: "Damage to property"},
	{ID: "label.category.detention", Other: "Detention"},
	{ID: "label.category.mobilization_of_civilians", Other: "Mobilization of civilians"},
	{ID: "label.category.hate_speech", Other: "Hate speech"},
	{ID: "label.category.disinformation", Other: "Disinformation"},
	{ID: "label.category.other", Other: "Other"},

	// source_type
	{ID: "label.source_type.eyewitness", Other: "Eyewitness"},
	{ID: "label.source_type.second_hand", Other: "Heard from others"},
	{ID: "label.source_type.media", Other: "Media"},
	{ID: "label.source_type.social_media", Other: "Social media"},
	{ID: "label.source_type.official", Other: "Official source"},

	// needs
	{ID: "label.needs.medical", Other: "Medical care"},
	{ID: "label.needs.shelter", Other: "Shelter"},
	{ID: "label.needs.food", Other: "Food"},
	{ID: "label.needs.water", Other: "Water"},
	{ID: "label.needs.evacuation", Other: "Evacuation"},
	{ID: "label.needs.psychosocial", Other: "Psychological support"},
	{ID: "label.needs.legal", Other: "Legal help"},
	{ID: "label.needs.missing_person", Other: "Missing person"},
	{ID: "label.needs.other", Other: "Other"},

	// vulnerable
	{ID: "label.vulnerable.children", Other: "Children"},
	{ID: "label.vulnerable.elderly", Other: "Elderly people"},
	{ID: "label.vulnerable.disabled", Other: "People with disabilities"},
	{ID: "label.vulnerable.pregnant", Other: "Pregnant women"},
	{ID: "label.vulnerable.injured", Other: "Injured people"},

	// urgency
	{ID: "label.urgency.critical", Other: "Critical"},
	{ID: "label.urgency.high", Other: "High"},
	{ID: "label.urgency.normal", Other: "Normal"},

	// platform
	{ID: "label.platform.telegram", Other: "Telegram"},
	{ID: "label.platform.whatsapp", Other: "WhatsApp"},
	{ID: "label.platform.facebook", Other: "Facebook"},
	{ID: "label.platform.instagram", Other: "Instagram"},
	{ID: "label.platform.tiktok", Other: "TikTok"},
	{ID: "label.platform.youtube", Other: "YouTube"},
	{ID: "label.platform.vk", Other: "VK"},
	{ID: "label.platform.odnoklassniki", Other: "Odnoklassniki"},
	{ID: "label.platform.x", Other: "X (Twitter)"},
	{ID: "label.platform.website", Other: "Website"},
	{ID: "label.platform.tv", Other: "Television"},
	{ID: "label.platform.print", Other: "Newspaper or print"},
	{ID: "label.platform.word_of_mouth", Other: "Word of mouth"},
	{ID: "label.platform.other", Other: "Other"},

	// verdict
	{ID: "label.verdict.false", Other: "False"},
	{ID: "label.verdict.misleading", Other: "Misleading"},
	{ID: "label.verdict.partly_true", Other: "Partly true"},
	{ID: "label.verdict.true", Other: "True"},
	{ID: "label.verdict.unverified", Other: "Unverified"},
}
