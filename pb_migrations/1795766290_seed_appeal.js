/// <reference path="../pb_data/types.d.ts" />

// Seeds the civil-society appeal of 30 April 2021, English, as published.
//
// The text is copied here verbatim from shared/appeal/appeal-2021-04-30.en.txt
// (one string per line, joined with "\n"; no trailing newline) so the server
// never reads files outside the project. Do not edit the wording: the
// published text is the record, including its cut-off sentence ("...for
// involvement in"). Translations are added by an administrator as separate
// records with translation_of pointing here.
migrate((app) => {
  const body = [
    "Civil society representatives Address to the Presidents of the Republic of Tajikistan and the Kyrgyz Republic",
    "",
    "We, representatives of the civil society of our countries, appeal to you with hope that our incentives and recommendations will be heard and we will together find peaceful and constructive ways out of a very difficult situation.",
    "",
    "Our peoples have a common history and religion, many years of experience of peaceful",
    "interaction and friendship. Together we went through the hardships of the war years",
    "during the Great Patriotic War, together we survived and continue to experience the hardships of the collapse of the united Soviet state, and we also together overcame the difficulties of the civil conflict in Tajikistan and found ways to peacefully resolve this conflict in 1992–1997. And, today, many ethnic Tajiks and ethnic Kyrgyz live in the territories of",
    "both countries.",
    "",
    "In addition to a common history, we have a common future, which we create together with you here and now. In this regard, we appeal to you as the leaders of our countries, the commander-in-chief of the armies, and the guarantors of the Constitution and the observance of human rights in our countries. In this regard, we call for an immediate cessation of any",
    "military and aggressive actions of both countries. First of all, the population of the Sughd and Batken regions suffers and civilians and military personnel, including those undergoing conscription, are dying . In addition, the ongoing military conflict leads to a general destabilization of the situation within both countries, including, fueled by incitement to hatred and hostility, there is a mobilization of the population for involvement in",
    "",
    "We draw your attention to the following consequences of this conflict and propose a number of measures to resolve it:",
    "",
    "● The human right to life and safety is an inalienable right that you must uphold. We ask you, as guarantors of human rights and freedoms, to take full responsibility for the negotiation",
    "process and its results on the settlement of borders between our countries.",
    "",
    "● The tragic events of the last days, for the first time in the history of our relations, violated the principle of peaceful co-existence and friendship between our peoples, and can saw enmity that may last for many years. We ask you to resolve the issues of delimitation and demarcation of state borders only at the negotiating table and never again resort to the",
    "use of force.",
    "",
    "● We note with regret that at the moment the negotiation process is being held behind closed doors leads to the lack of reliable information about the situation in the border territories, causes polarized coverage of this situation by official sources of the Kyrgyz Republic and the Republic of Tajikistan, as well as chaotic extremist and aggressive messages from citizens of both sides in social networks against each other, which in turn lead to an escalation of the conflict. In this regard, we urge to ensure the timely provision of information on the progress and results of the negotiations.",
    "",
    "● Take action to immediately end the mobilization of civilians to engage in conflict.",
    "",
    "● The composition of the negotiating commissions between our countries should include representatives from civil society, including women. We are ready to nominate candidates from our side and contribute to the peaceful resolution of controversial issues;",
    "",
    "● In the age of development of information and communication technologies, it has become",
    "increasingly difficult to control and provide timely access to reliable information. It is imperative to provide the public with verified and truthful information and work both through",
    "traditional media and on social media and popular mobile applications. We ask you to create all the necessary conditions for the openness and availability of data in the media space of",
    "our countries. On the part of civil society, fact-checkers are already working to suppress inaccurate content in each country, we urge you to promote close cooperation of government",
    "agencies with them.",
    "",
    "● We ask for government support to assist institutions and civil society activists in assisting victims of armed clashes at the border.",
    "",
    "In this crisis moment, it is necessary to unite all progressive and caring forces in order to prevent destabilization also within the countries and to resolve the situation in the border areas as soon as possible with minimal casualties, and to restore peace.",
    "",
    "We, representatives of the civil society of the Kyrgyz Republic and the Republic of Tajikistan, are making our contribution to this difficult time. We hope that all of the above will be considered by you in the near future and we can together work towards the peaceful and constructive development of our peoples and countries.",
    "",
    "Best regards,",
    "Representatives of the civil society of the",
    "Republic of Tajikistan and the Kyrgyz Republic who",
    "took part in the online meeting on April 30, 2021",
  ].join("\n");

  const record = new Record(app.findCollectionByNameOrId("appeals"));
  record.set("slug", "civil-society-appeal-2021-04-30");
  record.set("title", body.split("\n")[0]);
  record.set("body", body);
  record.set("language", "en");
  record.set("official", true);
  record.set("adopted_on", "2021-04-30 00:00:00.000Z");
  record.set("signatories", "Civil society representatives of the Republic of Tajikistan and the Kyrgyz Republic");
  record.set("status", "published");
  app.save(record);
}, (app) => {
  const record = app.findFirstRecordByFilter(
    "appeals", "slug = {:slug} && language = 'en'", { slug: "civil-society-appeal-2021-04-30" });
  app.delete(record);
});
