package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/testapp"
)

// appealSHA256 is the digest of shared/appeal/appeal-2021-04-30.en.txt, so
// the seed is checked even where the shared folder is not checked out.
const appealSHA256 = "96c1ae72078c9bb1bf67d90086437c10363af23b979f1203d92e1904a2b60457"

const appealTitle = "Civil society representatives Address to the Presidents of the Republic of Tajikistan and the Kyrgyz Republic"

// getJSON runs one anonymous GET against a fresh app and decodes the answer.
func getJSON(t *testing.T, name, url string, out any) {
	t.Helper()
	s := tests.ApiScenario{
		Name:            name,
		Method:          http.MethodGet,
		URL:             url,
		ExpectedStatus:  200,
		ExpectedContent: []string{`"items":[`},
		TestAppFactory:  testapp.Factory,
		AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			raw, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
		},
	}
	s.Test(t)
}

type appealItem struct {
	Slug, Title, Body, Language, Signatories, Status string
	AdoptedOn                                        string `json:"adopted_on"`
	Official                                         bool
}

func TestSeed_AppealIsVerbatim(t *testing.T) {
	var page struct{ Items []appealItem }
	getJSON(t, "public appeal", recordsURL("appeals")+"?filter="+urlQuery("slug='civil-society-appeal-2021-04-30'"), &page)
	if len(page.Items) != 1 {
		t.Fatalf("got %d appeals, want 1", len(page.Items))
	}
	a := page.Items[0]

	sum := sha256.Sum256([]byte(a.Body))
	if got := hex.EncodeToString(sum[:]); got != appealSHA256 {
		t.Errorf("appeal body sha256 = %s, want %s", got, appealSHA256)
	}
	source := filepath.Join(testapp.Root(), "..", "shared", "appeal", "appeal-2021-04-30.en.txt")
	want, err := os.ReadFile(source)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.Logf("%s not checked out: compared by digest only", source)
	case err != nil:
		t.Fatalf("read seed source: %v", err)
	case a.Body != string(want):
		t.Errorf("appeal body differs from %s", source)
	}

	checks := []struct{ field, got, want string }{
		{"title", a.Title, appealTitle},
		{"language", a.Language, "en"},
		{"status", a.Status, "published"},
		{"adopted_on", a.AdoptedOn, "2021-04-30 00:00:00.000Z"},
		{"signatories", a.Signatories, "Civil society representatives of the Republic of Tajikistan and the Kyrgyz Republic"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if !a.Official {
		t.Error("the adopted English text must be official")
	}
}

type districtItem struct {
	Code, Kind, Region, Country, Soate string
	NameEn                             string `json:"name_en"`
	NameRu                             string `json:"name_ru"`
	NameLocal                          string `json:"name_local"`
	ID                                 string `json:"id"`
}

func TestSeed_Districts(t *testing.T) {
	var page struct{ Items []districtItem }
	getJSON(t, "public districts", recordsURL("districts")+"?perPage=200&sort=code", &page)

	byCode := map[string]districtItem{}
	count := map[string]int{}
	for _, d := range page.Items {
		byCode[d.Code] = d
		count[d.Region+"/"+d.Kind]++
		if d.NameEn == "" || d.NameRu == "" || d.NameLocal == "" {
			t.Errorf("%s lacks a name: %+v", d.Code, d)
		}
	}
	wantCount := map[string]int{"sughd/city": 8, "sughd/district": 10, "batken/city": 3, "batken/district": 3}
	for k, want := range wantCount {
		if count[k] != want {
			t.Errorf("%s: %d places, want %d", k, count[k], want)
		}
	}

	want := []districtItem{
		{ID: "tjsughdisfara00", Code: "tj-sughd-isfara", Kind: "city", Region: "sughd", Country: "tj",
			NameEn: "Isfara", NameRu: "Исфара", NameLocal: "Исфара"},
		{ID: "tjsughdkhujand0", Code: "tj-sughd-khujand", Kind: "city", Region: "sughd", Country: "tj",
			NameEn: "Khujand", NameRu: "Худжанд", NameLocal: "Хуҷанд"},
		{ID: "tjsughdbgafurov", Code: "tj-sughd-b-gafurov", Kind: "district", Region: "sughd", Country: "tj",
			NameEn: "B. Gafurov", NameRu: "Бободжон Гафуров", NameLocal: "Бобоҷон Ғафуров"},
		{ID: "kgbatkenbatken0", Code: "kg-batken-batken", Kind: "district", Region: "batken", Country: "kg",
			NameEn: "Batken", NameRu: "Баткен", NameLocal: "Баткен", Soate: "41705214"},
		{ID: "kgbatkenbatkenc", Code: "kg-batken-batken-city", Kind: "city", Region: "batken", Country: "kg",
			NameEn: "Batken", NameRu: "Баткен", NameLocal: "Баткен", Soate: "41705410"},
		{ID: "kgbatkensulukta", Code: "kg-batken-sulukta", Kind: "city", Region: "batken", Country: "kg",
			NameEn: "Sulukta", NameRu: "Сулюкта", NameLocal: "Сүлүктү", Soate: "41705420"},
		{ID: "kgbatkenkadamja", Code: "kg-batken-kadamjay", Kind: "district", Region: "batken", Country: "kg",
			NameEn: "Kadamjay", NameRu: "Кадамжай", NameLocal: "Кадамжай", Soate: "41705258"},
	}
	for _, w := range want {
		if got := byCode[w.Code]; got != w {
			t.Errorf("district %s = %+v, want %+v", w.Code, got, w)
		}
	}
}
