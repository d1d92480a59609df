using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Web.Components.Pages.Delivery;

namespace Reminders.Console.Tests;

/// <summary>The delivery monitor's words: a reason code with its meaning beside it, and a due time with its zone's name on the 24-hour clock.</summary>
public sealed class DeliveryWordsTests : IDisposable
{
    readonly BunitContext context = new();
    readonly CultureInfo previous = CultureInfo.CurrentUICulture;

    public DeliveryWordsTests()
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("es-MX");
        context.Services.AddLocalization(o => o.ResourcesPath = "Resources");
    }

    [Theory]
    [InlineData("21211", "número inválido")]
    [InlineData("21610", "el número se dio de baja con el proveedor (STOP); se reactiva si responde START")]
    [InlineData("30005", "número desconocido o ya no existe")]
    [InlineData("no_consent", "sin consentimiento para SMS")]
    [InlineData("arm_mismatch", "aleatorizado al grupo control: no recibe SMS")]
    [InlineData("missed_window", "se cerró su plazo antes de poder enviarse")]
    [InlineData("39999", "código del proveedor sin descripción aquí: búsquelo en twilio.com/docs/errors")]
    [InlineData("something_new", "motivo sin descripción aquí: avise al equipo técnico")]
    public void A_reason_code_is_shown_with_its_meaning_in_spanish(string code, string words)
    {
        var reason = context.Render<SmsReason>(p => p.Add(r => r.Code, code));

        Assert.Equal(code, reason.Find("code").TextContent);
        Assert.Equal(words, reason.Find(".reason-words").TextContent);
    }

    [Fact]
    public void No_reason_renders_nothing() => Assert.Empty(context.Render<SmsReason>(p => p.Add(r => r.Code, null)).Markup.Trim());

    [Fact]
    public void A_due_time_is_on_the_sectors_wall_clock_in_24_hours_with_the_zones_name()
    {
        var spanish = CultureInfo.GetCultureInfo("es-MX");
        var instant = new DateTimeOffset(2027, 6, 7, 16, 0, 0, TimeSpan.Zero);

        Assert.Equal("10:00, hora de Ciudad de México", ZoneTimeText.Format(instant, "America/Mexico_City", spanish, withDate: false));
        Assert.Equal("09:00, hora de Tijuana", ZoneTimeText.Format(instant, "America/Tijuana", spanish, withDate: false));
        Assert.Equal($"{instant.ToOffset(TimeSpan.FromHours(-6)).ToString("d MMM yyyy", spanish).Replace(".", "")}, 10:00, hora de Ciudad de México",
            ZoneTimeText.Format(instant, null, spanish));
        Assert.Equal("21:30, Mexico City time", ZoneTimeText.Format(new DateTimeOffset(2027, 6, 8, 3, 30, 0, TimeSpan.Zero), "America/Mexico_City",
            CultureInfo.GetCultureInfo("en"), withDate: false));
    }

    public void Dispose()
    {
        CultureInfo.CurrentUICulture = previous;
        context.Dispose();
    }
}
