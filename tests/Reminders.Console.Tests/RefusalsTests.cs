using System.Globalization;
using Reminders.Web;
using Reminders.Web.Components.Shared;
using Reminders.Web.Services;

namespace Reminders.Console.Tests;

/// <summary>A service's refusal read as a code and said in Spanish with what to do next; the English detail never leads in Spanish.</summary>
public sealed class RefusalsTests : IDisposable
{
    readonly (CultureInfo, CultureInfo) before = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
    readonly Microsoft.Extensions.Localization.IStringLocalizer<Words> words = RowReasonsTests.Localizer<Words>();

    public RefusalsTests() => CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("es-MX");

    public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = before;

    static ApiProblem Problem(int status, string? title, string? detail, string? field = null, string? code = null) => new(status, title, detail, field, [], code);

    [Theory]
    [InlineData(409, "Training not over", "The cohort's last session (day 3, 2027-06-16) ends at 13:00 (America/Mexico_City); close it after that.", null, "training_not_over")]
    [InlineData(409, "Already randomized", "A randomization is committed; an allocation is never redone.", null, "already_randomized")]
    [InlineData(409, "Not the registered seed", "The seed does not match.", "seed", "not_the_registered_seed")]
    [InlineData(409, "Refused", "A session can only be moved to a time still to come.", "date", "moved_into_the_past")]
    [InlineData(409, "Refused", "A cohort can only be moved to a time still to come.", "start", "moved_into_the_past")]
    [InlineData(409, "Refused", "The session has already started.", "sessionId", "already_started")]
    [InlineData(409, "Refused", "The venue already has a session on 2027-06-14.", "venueId", "resource_busy")]
    [InlineData(409, "Refused", "Day 2 must stay after day 1 (2027-06-14).", "date", "day_order")]
    [InlineData(409, "Refused", "The officer is withdrawn.", "officerId", "conflict")]
    [InlineData(400, "Invalid request", "2027-06-19 is not a working day.", "date", "not_a_working_day")]
    [InlineData(400, "Invalid request", "Every change needs a reason of 1 to 500 characters.", "reason", "invalid_reason")]
    [InlineData(404, "Unknown cohort", "There is no cohort 0190.", "cohortId", "not_found_cohort")]
    [InlineData(404, "No such officer", "No officer has badge X-1.", null, "not_found_officer")]
    [InlineData(401, null, null, null, "unauthenticated")]
    [InlineData(403, "Forbidden", "Requires the manager role.", null, "forbidden")]
    public void A_refusal_is_read_as_a_code(int status, string? title, string? detail, string? field, string code) =>
        Assert.Equal(code, Refusals.Code(Problem(status, title, detail, field)));

    [Fact]
    public void A_code_the_service_sends_wins() => Assert.Equal("venue_full", Refusals.Code(Problem(409, "Refused", "anything", code: "venue_full")));

    [Theory]
    [InlineData(409, "Training not over", "ends at 13:00", null, "Todavía no termina la última sesión del grupo. La asistencia se puede cerrar cuando termine; vuelva después de esa hora.")]
    [InlineData(409, "Refused", "A session can only be moved to a time still to come.", "date", "Solo se puede mover a una fecha y hora que todavía no llega. Elija un momento futuro.")]
    [InlineData(409, "Already randomized", "never redone", null, "Los sectores ya están aleatorizados y la asignación no se puede repetir. Si hubo un error, anule la aleatorización antes de cualquier SMS o capacitación.")]
    [InlineData(400, "Invalid request", "startTime must be a time as HH:mm.", "startTime", "El sistema no aceptó la hora de inicio. Corríjalo y vuelva a intentarlo.")]
    [InlineData(400, "Invalid request", "bad", "turno", "El sistema no aceptó turno. Corríjalo y vuelva a intentarlo.")]
    [InlineData(404, "Unknown session", "There is no session 1.", "sessionId", "No se encontró esa sesión. Vuelva a «Mis sesiones» o al calendario y ábrala desde ahí.")]
    [InlineData(404, "Unknown venue", "There is no venue 1.", "id", "No se encontró lo que buscaba: puede que se haya borrado o cancelado, o que el enlace sea viejo. Vuelva a la lista y ábralo de nuevo.")]
    [InlineData(409, "Refused", "Something new.", null, "El sistema no puede hacer este cambio ahora. Vuelva a cargar la página para ver el estado actual y, si sigue igual, avise a la coordinación.")]
    [InlineData(401, null, null, null, "Su sesión terminó. Vuelva a entrar con su usuario y contraseña, y repita la acción.")]
    [InlineData(403, "Forbidden", "Requires the manager role.", null, "Su cuenta no tiene permiso para esto. Si lo necesita, pida a la coordinación que le dé el rol adecuado.")]
    public void A_refusal_is_said_in_spanish_with_what_to_do_next(int status, string? title, string? detail, string? field, string sentence) =>
        Assert.Equal(sentence, Refusals.Sentence(Problem(status, title, detail, field), words));

    [Fact]
    public void An_unreachable_service_is_named_with_what_to_do()
    {
        var problem = ApiProblem.Unreachable("scheduler", new HttpRequestException("Connection refused (127.0.0.1:5102)"));
        Assert.Equal("No hay conexión con la programación de capacitaciones y SMS (servicio Scheduler). Revise su conexión a internet y vuelva a intentarlo en un minuto; si sigue igual, avise al equipo técnico.",
            Refusals.Sentence(problem, words));
    }

    [Fact]
    public void The_consoles_own_words_are_shown_as_written_and_english_readers_get_english()
    {
        Assert.Equal("Escriba la fecha.", Refusals.Sentence(new ApiProblem(400, null, "Escriba la fecha.", "date", []), words));
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
        Assert.Equal("It can only be moved to a date and time still to come. Choose a future time.",
            Refusals.Sentence(Problem(409, "Refused", "A session can only be moved to a time still to come.", "date"), words));
    }
}
