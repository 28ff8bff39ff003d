/// <reference path="../pb_data/types.d.ts" />

// Seeds the cities and districts of Sughd (Tajikistan) and Batken
// (Kyrgyzstan), from shared/research/crisis-reporting-systems.md, "Reference
// places". Names: high confidence; that the Sughd list is complete: medium;
// Batken SOATE codes: medium (third-party data), which is why they are kept in
// `soate` and not in `code`. Names are bare place names, without the word for
// "district" or "city": `kind` carries that, and clients add the localized
// word.
//
// `code` is the stable key clients keep offline: never change or reuse one.
// The record ids are fixed too (the code without dashes, cut or padded with
// "0" to PocketBase's 15 characters), so every install and every phone that
// ships the list offline agree on the ids that reports point at.
// Border-relevant places (medium confidence): Isfara (with the Vorukh exclave
// and Chorkuh), B. Gafurov (Ovchi-Kalacha), Konibodom; in Batken all three
// districts.
migrate((app) => {
  // [id, code, kind, name_en, name_ru, name_local, soate]
  const sughd = [
    ["tjsughdkhujand0", "tj-sughd-khujand", "city", "Khujand", "Худжанд", "Хуҷанд", ""],
    ["tjsughdbuston00", "tj-sughd-buston", "city", "Buston", "Бустон", "Бӯстон", ""],
    ["tjsughdguliston", "tj-sughd-guliston", "city", "Guliston", "Гулистон", "Гулистон", ""],
    ["tjsughdisfara00", "tj-sughd-isfara", "city", "Isfara", "Исфара", "Исфара", ""],
    ["tjsughdistaravs", "tj-sughd-istaravshan", "city", "Istaravshan", "Истаравшан", "Истаравшан", ""],
    ["tjsughdistiqlol", "tj-sughd-istiqlol", "city", "Istiqlol", "Истиклол", "Истиқлол", ""],
    ["tjsughdkonibodo", "tj-sughd-konibodom", "city", "Konibodom", "Канибадам", "Конибодом", ""],
    ["tjsughdpanjaken", "tj-sughd-panjakent", "city", "Panjakent", "Пенджикент", "Панҷакент", ""],
    ["tjsughdayni0000", "tj-sughd-ayni", "district", "Ayni", "Айни", "Айнӣ", ""],
    ["tjsughdasht0000", "tj-sughd-asht", "district", "Asht", "Ашт", "Ашт", ""],
    ["tjsughdbgafurov", "tj-sughd-b-gafurov", "district", "B. Gafurov", "Бободжон Гафуров", "Бобоҷон Ғафуров", ""],
    ["tjsughddevashti", "tj-sughd-devashtich", "district", "Devashtich", "Деваштич", "Деваштич", ""],
    ["tjsughdjrasulov", "tj-sughd-j-rasulov", "district", "J. Rasulov", "Джаббар Расулов", "Ҷаббор Расулов", ""],
    ["tjsughdzafarobo", "tj-sughd-zafarobod", "district", "Zafarobod", "Зафарабад", "Зафаробод", ""],
    ["tjsughdkuhiston", "tj-sughd-kuhistoni-mastchoh", "district", "Kuhistoni Mastchoh", "Горная Матча", "Кӯҳистони Мастчоҳ", ""],
    ["tjsughdmastchoh", "tj-sughd-mastchoh", "district", "Mastchoh", "Матча", "Мастчоҳ", ""],
    ["tjsughdspitamen", "tj-sughd-spitamen", "district", "Spitamen", "Спитамен", "Спитамен", ""],
    ["tjsughdshahrist", "tj-sughd-shahriston", "district", "Shahriston", "Шахристан", "Шаҳристон", ""],
  ];
  const batken = [
    ["kgbatkenbatken0", "kg-batken-batken", "district", "Batken", "Баткен", "Баткен", "41705214"],
    ["kgbatkenkadamja", "kg-batken-kadamjay", "district", "Kadamjay", "Кадамжай", "Кадамжай", "41705258"],
    ["kgbatkenleilek0", "kg-batken-leilek", "district", "Leilek", "Лейлек", "Лейлек", "41705236"],
    ["kgbatkenbatkenc", "kg-batken-batken-city", "city", "Batken", "Баткен", "Баткен", "41705410"],
    ["kgbatkensulukta", "kg-batken-sulukta", "city", "Sulukta", "Сулюкта", "Сүлүктү", "41705420"],
    ["kgbatkenkyzylki", "kg-batken-kyzyl-kiya", "city", "Kyzyl-Kiya", "Кызыл-Кия", "Кызыл-Кыя", "41705430"],
  ];

  const collection = app.findCollectionByNameOrId("districts");
  const add = (country, region, rows) => {
    for (const [id, code, kind, nameEn, nameRu, nameLocal, soate] of rows) {
      const record = new Record(collection);
      record.set("id", id);
      record.set("code", code);
      record.set("name_en", nameEn);
      record.set("name_ru", nameRu);
      record.set("name_local", nameLocal);
      record.set("kind", kind);
      record.set("region", region);
      record.set("country", country);
      record.set("soate", soate);
      app.save(record);
    }
  };
  add("tj", "sughd", sughd);
  add("kg", "batken", batken);
}, (app) => {
  const records = app.findRecordsByFilter(
    "districts", "code ~ 'tj-sughd-%' || code ~ 'kg-batken-%'", "", 0, 0);
  for (const record of records) {
    app.delete(record);
  }
});
