using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Reminders.Web.Components.Pages.Delivery;

namespace Reminders.Console.Tests;

/// <summary>The delivery monitor's words: a reason code with its meaning beside it.</summary>
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

    public void Dispose()
    {
        CultureInfo.CurrentUICulture = previous;
        context.Dispose();
    }
}
