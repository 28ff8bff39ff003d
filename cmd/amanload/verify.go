package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
)

// verify checks the server against what every device sent:
//   - lost: a created record missing, or a field that does not hold the
//     last value its device sent;
//   - duplicated: a record nobody created, or a rev above 1 + the edits its
//     device got applied (a mutation applied twice);
//   - diverged: a device whose copy differs from a pull from the start.
func (f *faultRun) verify(ctx context.Context, devices []*device) (*faultReport, error) {
	rep := &faultReport{Devices: len(devices)}
	server, err := f.serverRecords(ctx)
	if err != nil {
		return nil, err
	}
	rep.Records = len(server)
	created := map[recKey]bool{}
	for _, d := range devices {
		if err := f.verifyDevice(ctx, d, server, rep); err != nil {
			return nil, err
		}
		for k := range d.expected {
			created[k] = true
		}
	}
	rep.ExpectedRecords = len(created)
	for k := range server {
		if !created[k] {
			rep.Duplicated++
			rep.Details = append(rep.Details, fmt.Sprintf("%s/%s on the server was never created by a device", k.collection, k.id))
		}
	}
	return rep, nil
}

func (f *faultRun) verifyDevice(ctx context.Context, d *device, server map[recKey]map[string]any, rep *faultReport) error {
	rep.Mutations += d.sent
	rep.Retries += d.retries
	rep.RateLimited += d.limited
	rep.HistoryResets += d.historyResets
	rep.PushedWithLost += d.pushedWithLost
	for _, r := range d.results {
		switch r.Status {
		case "applied":
			rep.Applied++
		case "merged":
			rep.Merged++
		}
	}
	rep.Problems += len(d.problems) + d.sent - len(d.results)
	for _, p := range d.problems {
		rep.Details = append(rep.Details, fmt.Sprintf("device %d: %s", d.n, p))
	}
	fresh, err := f.pullFresh(ctx, d.user)
	if err != nil {
		return fmt.Errorf("device %d fresh pull: %w", d.n, err)
	}
	if diff := compareCopies(d.local, fresh); diff != "" {
		rep.Diverged++
		rep.Details = append(rep.Details, fmt.Sprintf("device %d diverged: %s", d.n, diff))
	}
	for k, want := range d.expected {
		rep.ExpectedLogRows += 1 + d.edits[k]
		got, ok := server[k]
		if !ok {
			rep.Lost++
			rep.Details = append(rep.Details, fmt.Sprintf("device %d: %s/%s lost", d.n, k.collection, k.id))
			continue
		}
		if field := firstDifferent(want, got); field != "" {
			rep.Lost++
			rep.Details = append(rep.Details, fmt.Sprintf("device %d: %s/%s field %s = %v, sent %v", d.n, k.collection, k.id, field, got[field], want[field]))
		}
		switch rev, wantRev := fresh[k].rev, int64(1+d.edits[k]); {
		case rev > wantRev:
			rep.Duplicated++
			rep.Details = append(rep.Details, fmt.Sprintf("device %d: %s/%s rev %d, want %d: a mutation applied twice", d.n, k.collection, k.id, rev, wantRev))
		case rev < wantRev:
			rep.Lost++
			rep.Details = append(rep.Details, fmt.Sprintf("device %d: %s/%s rev %d, want %d", d.n, k.collection, k.id, rev, wantRev))
		}
	}
	return nil
}

// firstDifferent returns the first field of want whose value got differs.
func firstDifferent(want, got map[string]any) string {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !reflect.DeepEqual(want[k], got[k]) {
			return k
		}
	}
	return ""
}

// compareCopies describes the first difference between a device's copy and
// a fresh pull, or returns "".
func compareCopies(local, fresh map[recKey]localRec) string {
	if len(local) != len(fresh) {
		return fmt.Sprintf("%d records on the device, %d in a fresh pull", len(local), len(fresh))
	}
	for k, l := range local {
		r, ok := fresh[k]
		switch {
		case !ok:
			return fmt.Sprintf("%s/%s only on the device", k.collection, k.id)
		case l.partial:
			return fmt.Sprintf("%s/%s still lacks the server's fields at rev %d (a brief answer's rev no pull completed)", k.collection, k.id, l.rev)
		case l.rev != r.rev:
			return fmt.Sprintf("%s/%s rev %d on the device, %d on the server", k.collection, k.id, l.rev, r.rev)
		case !reflect.DeepEqual(l.record, r.record):
			return fmt.Sprintf("%s/%s differs from the server's", k.collection, k.id)
		}
	}
	return ""
}

// pullFresh pulls everything the user sees from the start, over a clean link.
func (f *faultRun) pullFresh(ctx context.Context, user account) (map[recKey]localRec, error) {
	a := &api{base: f.srv.url(""), token: user.Token, hc: &http.Client{Timeout: time.Minute}}
	out := map[recKey]localRec{}
	cp := ""
	for {
		res, _, err := a.pull(ctx, syncedCollections, cp, 1000)
		if err != nil {
			return nil, err
		}
		applyChanges(out, res.Changes)
		cp = res.Checkpoint
		if !res.HasMore {
			return out, nil
		}
	}
}

// serverRecords lists both collections in full as a superuser, who sees
// every field.
func (f *faultRun) serverRecords(ctx context.Context) (map[recKey]map[string]any, error) {
	a := &api{base: f.srv.url(""), token: f.su.Token, hc: &http.Client{Timeout: time.Minute}}
	out := map[recKey]map[string]any{}
	for _, col := range syncedCollections {
		for page := 1; ; page++ {
			var res struct {
				Items []map[string]any `json:"items"`
			}
			q := url.Values{"perPage": {"500"}, "page": {fmt.Sprint(page)}, "skipTotal": {"1"}, "sort": {"id"}}
			if _, err := a.do(ctx, http.MethodGet, "/api/collections/"+col+"/records?"+q.Encode(), nil, false, &res); err != nil {
				return nil, fmt.Errorf("list %s: %w", col, err)
			}
			for _, item := range res.Items {
				id, _ := item["id"].(string)
				out[recKey{col, id}] = item
			}
			if len(res.Items) < 500 {
				break
			}
		}
	}
	return out, nil
}

// openReadOnly opens a SQLite file read-only with the driver PocketBase
// uses (modernc.org/sqlite, registered as "sqlite").
func openReadOnly(path string) (*dbx.DB, error) {
	db, err := dbx.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("open %s read-only: %w", path, err)
	}
	return db, nil
}
