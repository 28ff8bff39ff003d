package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The fault run's final check catches what it claims to catch: a server
// that lost, duplicated or diverged a record fails the run. TestFaultRun
// only ever meets a correct server, so it cannot tell a sound checker from
// a blind one; here the server's answers are made up.
func TestVerifyCatches(t *testing.T) {
	k := recKey{"incident_reports", "r0001"}
	sent := normalize(map[string]any{"title": "a", "injured": 2})
	held := func(v map[string]any) map[string]any { return normalize(v) }
	type deviceState struct {
		local  map[recKey]localRec // the device's copy
		pulled []change            // what a fresh pull from the start gives it
	}
	sound := func() deviceState {
		return deviceState{
			local:  map[recKey]localRec{k: {rev: 2, record: held(sent)}},
			pulled: []change{{Collection: k.collection, ID: k.id, Rev: 2, Record: held(sent)}},
		}
	}
	scenarios := []struct {
		name    string
		server  map[string][]map[string]any // what a superuser lists
		devices []deviceState               // each created k and edited it once
		want    faultReport                 // Lost, Duplicated, Diverged
	}{
		{"sound", map[string][]map[string]any{k.collection: {{"id": k.id, "title": "a", "injured": 2}}},
			[]deviceState{sound()}, faultReport{}},
		{"a mutation applied twice", map[string][]map[string]any{k.collection: {{"id": k.id, "title": "a", "injured": 2}}},
			[]deviceState{{
				local:  map[recKey]localRec{k: {rev: 3, record: held(sent)}},
				pulled: []change{{Collection: k.collection, ID: k.id, Rev: 3, Record: held(sent)}},
			}}, faultReport{Duplicated: 1}},
		{"a record nobody created", map[string][]map[string]any{k.collection: {{"id": k.id, "title": "a", "injured": 2}, {"id": "r0099", "title": "x"}}},
			[]deviceState{sound()}, faultReport{Duplicated: 1}},
		{"a record lost", map[string][]map[string]any{},
			[]deviceState{{local: map[recKey]localRec{}}}, faultReport{Lost: 1}},
		{"a value lost", map[string][]map[string]any{k.collection: {{"id": k.id, "title": "b", "injured": 2}}},
			[]deviceState{sound()}, faultReport{Lost: 1}},
		{"an edit lost", map[string][]map[string]any{k.collection: {{"id": k.id, "title": "a", "injured": 2}}},
			[]deviceState{{
				local:  map[recKey]localRec{k: {rev: 1, record: held(sent)}},
				pulled: []change{{Collection: k.collection, ID: k.id, Rev: 1, Record: held(sent)}},
			}}, faultReport{Lost: 1}},
		{"every device diverged", map[string][]map[string]any{k.collection: {{"id": k.id, "title": "a", "injured": 2}}},
			[]deviceState{
				{local: map[recKey]localRec{k: {rev: 2, record: held(map[string]any{"title": "old", "injured": 2})}}, pulled: sound().pulled},
				{local: map[recKey]localRec{k: {rev: 2, record: held(sent)}, {k.collection, "r0002"}: {rev: 1, record: held(sent)}}, pulled: sound().pulled},
			}, faultReport{Diverged: 2}},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case strings.HasPrefix(r.URL.Path, "/api/collections/"):
					col := strings.Split(r.URL.Path, "/")[3]
					items := s.server[col]
					if r.URL.Query().Get("page") != "1" || items == nil {
						items = []map[string]any{}
					}
					_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
				case r.URL.Path == "/api/sync/v1/pull":
					var n int
					fmt.Sscanf(r.Header.Get("Authorization"), "device-%d", &n)
					_ = json.NewEncoder(w).Encode(pullResponse{Changes: s.devices[n].pulled, Checkpoint: "cp"})
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			f := &faultRun{srv: &serverProc{addr: strings.TrimPrefix(srv.URL, "http://")}, su: account{ID: "su", Token: "su"}}
			var devices []*device
			for n, ds := range s.devices {
				d := newDevice(n, account{ID: fmt.Sprint("u", n), Token: fmt.Sprint("device-", n)}, "t", nil, 10, new(atomic.Int64))
				d.expected[k] = sent
				d.edits[k] = 1
				d.local = ds.local
				d.sent = 2
				d.results = map[string]result{"m1": {Status: "applied"}, "m2": {Status: "applied"}}
				devices = append(devices, d)
			}
			rep, err := f.verify(context.Background(), devices)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Lost != s.want.Lost || rep.Duplicated != s.want.Duplicated || rep.Diverged != s.want.Diverged {
				t.Fatalf("lost %d, duplicated %d, diverged %d; want %d, %d, %d; details %v",
					rep.Lost, rep.Duplicated, rep.Diverged, s.want.Lost, s.want.Duplicated, s.want.Diverged, rep.Details)
			}
			// the verdict: what the run ends with once the database checks pass
			rep.Integrity, rep.LogRows = "ok", rep.ExpectedLogRows
			if ok, want := rep.ok(), s.name == "sound"; ok != want {
				t.Fatalf("ok() = %v, want %v: %+v", ok, want, rep)
			}
		})
	}
}
