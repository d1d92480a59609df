using Microsoft.Extensions.Localization;

// The assembly is Reminders.Console but its types live in Reminders.Web: resources are found by namespace.
[assembly: RootNamespace("Reminders.Web")]
