/// <reference path="../pb_data/types.d.ts" />
// The application's name as people read it: in the dashboard's title and in
// every e-mail to users ("Confirm your Aman email", signed "Aman team" in
// their language). PocketBase's default is "Acme".
migrate((app) => {
  const settings = app.settings()
  settings.meta.appName = "Aman"
  if (!settings.meta.senderName || settings.meta.senderName === "Support") {
    settings.meta.senderName = "Aman"
  }
  app.save(settings)
}, (app) => {
  const settings = app.settings()
  settings.meta.appName = "Acme"
  app.save(settings)
})
