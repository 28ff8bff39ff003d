package locale

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/router"
)

// realtimeSubscribePath is PocketBase's route of a realtime client's
// subscriptions (POST).
const realtimeSubscribePath = "/api/realtime"

// subscribeReason returns, in lang, the reason of PocketBase's own refusal
// of a realtime subscribe request (apis/realtime.go,
// realtimeSubscribeForm.validate): more than 1000 topics, or a topic of
// more than 2500 characters. PocketBase answers both with 400 "Something
// went wrong while processing your request." on top and the reason only in
// data.subscriptions (validation_length_too_long, params.max; a topic's
// under its index), so a client that shows only the top-level message
// would show no reason. The data stays as PocketBase wrote it (localized);
// only the top-level message says which limit, with its number. Any other
// answer reports false.
func subscribeReason(lang string, e *core.RequestEvent, apiErr *router.ApiError) (string, bool) {
	if apiErr == nil || apiErr.Status != http.StatusBadRequest ||
		e.Request.Method != http.MethodPost || e.Request.URL.Path != realtimeSubscribePath ||
		apiMessageIDs[inflector.Sentenize(apiErr.Message)] != "api_bad_request" || len(apiErr.Data) != 1 {
		return "", false
	}
	subs, _ := apiErr.Data["subscriptions"].(map[string]any)
	if len(subs) == 0 {
		return "", false
	}
	item, id := subs, "realtime_subscribe_too_many_topics"
	if !isErrorItem(subs) {
		// one entry per topic too long, by index: the same reason for each
		item, id = nil, "realtime_subscribe_topic_too_long"
		for _, v := range subs {
			topic, ok := v.(map[string]any)
			if !ok || !isErrorItem(topic) || topic["code"] != "validation_length_too_long" {
				return "", false
			}
			item = topic
		}
	}
	if item["code"] != "validation_length_too_long" {
		return "", false
	}
	params, _ := item["params"].(map[string]any)
	max, ok := params["max"]
	if !ok {
		return "", false
	}
	return localizeCode(lang, id, map[string]any{"max": max})
}
