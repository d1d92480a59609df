namespace Reminders.Web;

/// <summary>
/// The shared vocabulary (<c>Resources/Words.resx</c>, Spanish; <c>Words.en.resx</c>, English): one word per status, role,
/// arm and reason, used on every page, so "entregado" never reads "recibido" elsewhere.
/// </summary>
public sealed class Words;
