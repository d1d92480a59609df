using System.Text;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

public sealed class RosterParserTests
{
    static RosterRow Single(RosterParseResult result)
    {
        Assert.Empty(result.Errors);
        return Assert.Single(result.Rows);
    }

    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    public void Reads_comma_semicolon_and_tab_separated_rosters(string delimiter)
    {
        var csv = string.Join("\n",
            string.Join(delimiter, "badge", "name", "role", "sector", "phone", "consent"),
            string.Join(delimiter, "B-001", "Ana López", "officer", "S01", "55 1234 5678", "yes"));

        var row = Single(RosterParser.Parse(csv));

        Assert.Equal(new RosterRow(2, "B-001", "Ana López", "officer", "S01", "+525512345678", true), row);
    }

    [Fact]
    public void A_utf8_byte_order_mark_does_not_hide_the_first_header()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Rosters.Csv("B-001,Ana López,officer,S01,55 1234 5678,yes"))).ToArray();
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes); // keeps U+FEFF, as a plain decode does

        Assert.StartsWith("\uFEFF", text);
        Assert.Equal("B-001", Single(RosterParser.Parse(text)).Badge);
    }

    [Fact]
    public void Spanish_headers_are_matched_regardless_of_accents_case_and_spaces()
    {
        var csv = "NUMERO EMPLEADO;Nombre;ROL;Sector;Teléfono;Consentimiento\n" +
                  "B-001;Ana López;policía;S01;55 1234 5678;sí\n";

        var row = Single(RosterParser.Parse(csv));

        Assert.Equal(new RosterRow(2, "B-001", "Ana López", "officer", "S01", "+525512345678", true), row);
    }

    [Theory]
    [InlineData("Número Empleado", "TELÉFONO")]
    [InlineData("numero_empleado", "celular")]
    [InlineData("Placa", " Teléfono ")]
    [InlineData("numero-empleado", "Celular")]
    public void Header_aliases_for_badge_and_phone(string badgeHeader, string phoneHeader)
    {
        var csv = $"{badgeHeader},nombre,rol,sector,{phoneHeader},consentimiento\nB-001,Ana,oficial,S01,5512345678,si\n";

        Assert.Equal("B-001", Single(RosterParser.Parse(csv)).Badge);
    }

    [Fact]
    public void Columns_may_come_in_any_order_and_extra_columns_are_ignored()
    {
        var csv = "phone,comment,consent,sector,role,name,badge\n5512345678,whatever,yes,S01,officer,Ana,B-001\n";

        Assert.Equal(new RosterRow(2, "B-001", "Ana", "officer", "S01", "+525512345678", true), Single(RosterParser.Parse(csv)));
    }

    [Fact]
    public void A_quoted_name_may_contain_the_delimiter()
    {
        var row = Single(RosterParser.Parse(Rosters.Csv("B-001,\"López, Ana\",officer,S01,5512345678,yes")));

        Assert.Equal("López, Ana", row.Name);
    }

    [Theory]
    [InlineData("officer", "officer")]
    [InlineData("Policía", "officer")]
    [InlineData("POLICIA", "officer")]
    [InlineData("oficial", "officer")]
    [InlineData("Commander", "commander")]
    [InlineData("mando", "commander")]
    [InlineData("Mando Medio", "commander")]
    [InlineData("comandante", "commander")]
    public void Role_aliases(string text, string role)
    {
        Assert.Equal(role, Single(RosterParser.Parse(Rosters.Csv($"B-001,Ana,{text},S01,5512345678,yes"))).Role);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("Sí", true)]
    [InlineData("SI", true)]
    [InlineData("si", true)]
    [InlineData("1", true)]
    [InlineData("TRUE", true)]
    [InlineData("no", false)]
    [InlineData("NO", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void Consent_aliases(string text, bool consent)
    {
        Assert.Equal(consent, Single(RosterParser.Parse(Rosters.Csv($"B-001,Ana,officer,S01,5512345678,{text}"))).Consent);
    }

    [Fact]
    public void Every_bad_row_is_reported_with_line_column_value_and_reason()
    {
        var result = RosterParser.Parse(Rosters.Csv(
            "B-001,Ana,officer,S01,5512345678,yes",
            "B-002,Juan,sargento,S01,5523456789,yes",
            "B-003,María,officer,S02,55 1234 567,yes",
            "B-004,Luis,officer,S02,5534567890,quizá",
            ",Sin Placa,officer,S02,5545678901,yes",
            "B-006,,officer,,5556789012,yes",
            "B-007,Rosa,officer,S03,+1 212 555 0123,no"));

        Assert.Equal(["B-001"], result.Rows.Select(r => r.Badge));
        Assert.Equal(
            [(3, "role", "sargento"), (4, "phone", "55 1234 567"), (5, "consent", "quizá"), (6, "badge", ""), (7, "name", ""), (7, "sector", ""), (8, "phone", "+1 212 555 0123")],
            result.Errors.Select(e => (e.Line, e.Column, e.Value)));
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
    }

    [Fact]
    public void A_row_with_several_bad_cells_reports_each_of_them()
    {
        var result = RosterParser.Parse(Rosters.Csv("B-001,Ana,sargento,S01,hola,quizá"));

        Assert.Equal(["consent", "phone", "role"], result.Errors.Select(e => e.Column).Order());
        Assert.All(result.Errors, e => Assert.Equal(2, e.Line));
    }

    [Fact]
    public void A_duplicate_badge_is_reported_on_the_second_row_with_the_first_line()
    {
        var result = RosterParser.Parse(Rosters.Csv(
            "B-001,Ana,officer,S01,5512345678,yes",
            "b-001,Juan,officer,S01,5523456789,yes"));

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, "badge", "b-001"), (error.Line, error.Column, error.Value));
        Assert.Contains("line 2", error.Reason);
    }

    [Fact]
    public void A_duplicate_phone_is_reported_even_when_written_in_another_format()
    {
        var result = RosterParser.Parse(Rosters.Csv(
            "B-001,Ana,officer,S01,+52 1 55 1234 5678,yes",
            "B-002,Juan,officer,S01,(55) 1234-5678,yes"));

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, "phone", "(55) 1234-5678"), (error.Line, error.Column, error.Value));
        Assert.Contains("line 2", error.Reason);
    }

    [Fact]
    public void Line_numbers_are_the_file_lines_even_after_a_blank_line()
    {
        var csv = Rosters.Header + "\nB-001,Ana,officer,S01,5512345678,yes\n\nB-002,Juan,officer,S01,hola,yes\n";

        var error = Assert.Single(RosterParser.Parse(csv).Errors);

        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void Windows_line_endings_are_read_like_unix_ones()
    {
        var csv = Rosters.Csv("B-001,Ana,officer,S01,5512345678,yes", "B-002,Juan,officer,S01,5523456789,no").Replace("\n", "\r\n");

        var result = RosterParser.Parse(csv);

        Assert.Empty(result.Errors);
        Assert.Equal([(2, "B-001", true), (3, "B-002", false)], result.Rows.Select(r => (r.Line, r.Badge, r.Consent)));
    }

    [Fact]
    public void A_missing_column_is_reported_on_the_header_line()
    {
        var result = RosterParser.Parse("badge,name,role,sector,consent\nB-001,Ana,officer,S01,yes\n");

        Assert.Empty(result.Rows);
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, "phone"), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("\uFEFF")]
    public void An_empty_roster_is_one_error_not_an_exception(string text)
    {
        var result = RosterParser.Parse(text);

        Assert.Empty(result.Rows);
        Assert.Single(result.Errors);
    }
}
