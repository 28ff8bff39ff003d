package publictext_test

import (
	"testing"

	"aman/workflow/publictext"
)

// What a public summary must not carry, and what it may: counts, years,
// dates, times, amounts and house numbers are the stuff of incident
// summaries, and refusing them would teach coordinators to ignore the
// check.
func TestLeak(t *testing.T) {
	cases := []struct {
		text, want string
	}{
		{"Call the family at +992 92 777 12 34.", publictext.Phone},
		{"Родственники: 0555 123 456", publictext.Phone},
		{"Тел. (3422) 2-34-56, спросить Зарину", publictext.Phone},
		{"ВОТСАП 927771234", publictext.Phone},
		{"номер +996-770-12-34-56", publictext.Phone},
		{"Рақам: 92.777.12.34", publictext.Phone},
		{"Write to zarina.k@mail.ru for photos.", publictext.Email},
		{"почта: фарход@почта.тч", publictext.Email},
		{"The house at 40.123456, 70.654321 was hit.", publictext.Coordinates},
		{"Координаты 39,98765 70,61234", publictext.Coordinates},
		{"lat -39.9876", publictext.Coordinates},

		{"Shelling near Vorukh on 2022-09-14 16:30; 3 killed, 12 injured.", ""},
		{"14.09.2022 в 16:30 обстрел, пострадали 12 человек.", ""},
		{"On 14/09/22 around 05:40 two houses burned.", ""},
		{"Ущерб оценён в 150 000 000 сомов, 1 200 семей без воды.", ""},
		{"Дом № 12, улица 40 лет Победы.", ""},
		{"Around 40.1, 70.6: the district centre.", ""},
		{"Counts: 2022 2023 — 12, 14, 15.", ""},
		{"Between 2021-04-29 and 2021-05-01 2 500 people left.", ""},
		{"On 14-09-2022 16 houses burned.", ""},
		{"Card 4111 1111 1111 1111 and more", publictext.Phone},
		{"1234567 +992 92 777 12 34", publictext.Phone},
		{"", ""},
	}
	for _, c := range cases {
		if got := publictext.Leak(c.text); got != c.want {
			t.Errorf("Leak(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// A phone number stays found whatever text comes before it: the text a
// coordinator pasted it in cannot hide it (a run of digits before it, a
// date, a half-written address).
func FuzzLeak(f *testing.F) {
	for _, seed := range []string{"", "Shelling on 14.09.2022 at 16:30", "1234567", "40.", "zarina@", "(", "2022-09-14 16",
		"150 000", "\u00a0", "тел."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, before string) {
		if got := publictext.Leak(before + " +992 92 777 12 34"); got == "" {
			t.Fatalf("a phone number after %q not found", before)
		}
		publictext.Leak(before) // any text: no panic
	})
}
