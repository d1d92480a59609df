using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Web.Components.Pages.Training;
using Reminders.Web.Services.Training;

namespace Reminders.Console.Tests;

/// <summary>The training pages' own logic: what a change will send, in sentences; times with their zone on a 24-hour clock.</summary>
public sealed class TrainingComponentTests : IDisposable
{
    readonly BunitContext context = new();
    readonly CultureInfo culture = CultureInfo.CurrentCulture, uiCulture = CultureInfo.CurrentUICulture;

    public TrainingComponentTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("es-MX");
        context.Services.AddLocalization(o => o.ResourcesPath = "Resources");
    }

    [Fact]
    public void A_sector_left_out_of_the_plan_is_explained_in_spanish_with_singulars()
    {
        var words = context.Services.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<TrainingWords>>();
        UnplacedSector Left(string code, int trainees) => new(Guid.NewGuid(), "IZP-01", "commander", trainees, "English reason", code);

        Assert.Equal("Todas las sedes con lugar para 1 persona están ocupadas en el periodo. Amplíe el periodo o agregue una sede.",
            PlanReasons.InWords(Left("venues_booked", 1), words));
        Assert.Equal("Todas las sedes con lugar para 3 personas están ocupadas en el periodo. Amplíe el periodo o agregue una sede.",
            PlanReasons.InWords(Left("venues_booked", 3), words));
        Assert.Equal("No hay instructor libre en los días en que hay sede para 1 persona. Amplíe el periodo o agregue un instructor.",
            PlanReasons.InWords(Left("trainers_booked", 1), words));
    }

    [Fact]
    public void A_dry_run_says_in_spanish_whom_each_sms_reaches_and_how_many_pending_ones_are_cancelled_with_singulars()
    {
        var result = new ChangeResult(Guid.NewGuid(), "moved", 47, 24, DryRun: true,
            Planned: [new SmsTally("day_before", 23, 23), new SmsTally("change_notice", 23, 23), new SmsTally("invitation", 1, 1)],
            Cancelled: [new SmsTally("day_before", 23, 23), new SmsTally("invitation", 1, 1)]);

        var cut = context.Render<SmsConsequence>(p => p.Add(x => x.Result, result));

        Assert.Equal(
        [
            "Se enviará un aviso de cambio a 23 policías.",
            "Se enviará la invitación a 1 policía.",
            "Se programará el recordatorio del día anterior para 23 policías.",
            "Se cancelará 1 invitación pendiente.",
            "Se cancelarán 23 recordatorios del día anterior pendientes.",
        ], cut.FindAll("li").Select(li => li.TextContent));
        Assert.StartsWith("Antes de confirmar", cut.Find("[role=status] strong").TextContent);
    }

    [Fact]
    public void A_change_that_sends_nothing_says_so_and_numbers_use_the_mexican_thousands_separator()
    {
        var nothing = context.Render<SmsConsequence>(p => p.Add(x => x.Result, new ChangeResult(Guid.NewGuid(), "restaffed", 0, 0, true, [], [])));
        Assert.Equal("Este cambio no envía ni cancela ningún SMS.", nothing.Find("p").TextContent);

        var many = context.Render<SmsConsequence>(p => p.Add(x => x.Result,
            new ChangeResult(Guid.NewGuid(), "cancelled", 1200, 0, false, [new SmsTally("cancellation", 1200, 1200)], [])));
        Assert.Equal("Aviso de cancelación programado para 1,200 policías.", many.Find("li").TextContent);
    }

    public void Dispose()
    {
        context.Dispose();
        (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
    }
}
