using System.Text;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Tests.Infrastructure;
using Reminders.Platform.Csv;

namespace Reminders.Enrollment.Tests;

/// <summary>The roster parser alone: messy spreadsheet exports in, validated rows and line-accurate errors out.</summary>
public sealed class RosterParserTests
{
    static (int Line, string Badge, string Name, string Role, string Sector, string Phone, bool Consent) Fields(RosterRow r) =>
        (r.Line, r.Badge, r.Name, r.Role, r.SectorCode, r.PhoneE164, r.Consent);

    static RosterRow Single(RosterParseResult result)
    {
        Assert.Empty(result.Errors);
        return Assert.Single(result.Rows);
    }

    static RosterError SingleError(RosterParseResult result)
    {
        Assert.Empty(result.Rows);
        return Assert.Single(result.Errors);
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

        Assert.Equal((2, "B-001", "Ana López", "officer", "S01", "+525512345678", true), Fields(Single(RosterParser.Parse(csv))));
    }

    [Fact]
    public void A_semicolon_file_with_commas_inside_its_values_is_still_read_as_semicolon_separated()
    {
        var csv = "placa;nombre;rol;sector;teléfono;consentimiento\nB-001;López, Ana;policía;S01;55 1234 5678;sí\n";

        Assert.Equal((2, "B-001", "López, Ana", "officer", "S01", "+525512345678", true), Fields(Single(RosterParser.Parse(csv))));
    }

    public static TheoryData<string, byte[], string> Encodings()
    {
        const string csv = "placa,nombre,rol,sector,teléfono,consentimiento\r\nB-001,José Peña Muñoz,policía,S01,55 1234 5678,sí\r\n";
        return new()
        {
            { "utf-8", Encoding.UTF8.GetBytes(csv), "utf-8" },
            { "utf-8 with BOM", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)], "utf-8-bom" },
            { "windows-1252", CodePagesEncoding(1252).GetBytes(csv), "windows-1252" },
            { "utf-16 LE with BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(csv)], "utf-16le" },
            { "utf-16 BE with BOM", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(csv)], "utf-16be" },
        };
    }

    static Encoding CodePagesEncoding(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Accents_survive_every_encoding_a_spreadsheet_writes(string kind, byte[] bytes, string encoding)
    {
        var (text, detected) = CsvText.Decode(bytes);

        Assert.Equal(encoding, detected);
        var row = Single(RosterParser.Parse(text));
        Assert.True(("José Peña Muñoz", "officer", true) == (row.Name, row.Role, row.Consent), kind);
    }

    [Fact]
    public void Windows_1252_single_bytes_for_accents_are_read_as_1252()
    {
        // "José Peña" as Excel writes it in a Western locale: é is the byte 0xE9 and ñ 0xF1, neither valid UTF-8 alone.
        byte[] bytes = [.. "badge,name,role,sector,phone,consent\r\nB-001,Jos"u8, 0xE9, .. " Pe"u8, 0xF1, .. "a,mando medio,S01,5512345678,s"u8, 0xED, .. "\r\n"u8];

        var (text, encoding) = CsvText.Decode(bytes);

        Assert.Equal("windows-1252", encoding);
        Assert.Equal(("José Peña", "commander", true), (Single(RosterParser.Parse(text)) is var row ? (row.Name, row.Role, row.Consent) : default));
    }

    [Fact]
    public void A_utf8_byte_order_mark_left_in_the_text_does_not_hide_the_first_header()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Rosters.Csv("B-001,Ana López,officer,S01,55 1234 5678,yes"))).ToArray();
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes); // keeps U+FEFF, as a plain decode does

        Assert.StartsWith("\uFEFF", text);
        Assert.Equal("B-001", Single(RosterParser.Parse(text)).Badge);
    }

    [Fact]
    public void Windows_line_endings_are_read_like_unix_ones()
    {
        var csv = Rosters.Csv("B-001,Ana,officer,S01,5512345678,yes", "B-002,Juan,officer,S01,5523456789,no").Replace("\n", "\r\n");

        var result = RosterParser.Parse(csv);

        Assert.Empty(result.Errors);
        Assert.Equal([(2, "B-001", "Ana", true), (3, "B-002", "Juan", false)], result.Rows.Select(r => (r.Line, r.Badge, r.Name, r.Consent)));
    }

    [Fact]
    public void Blank_lines_are_ignored_and_line_numbers_stay_the_file_lines()
    {
        var csv = Rosters.Header + "\r\n\r\nB-001,Ana,officer,S01,5512345678,yes\r\n\r\n   \r\n,,,,,\r\nB-002,Juan,officer,S01,hola,yes\r\n\r\n";

        var result = RosterParser.Parse(csv);

        Assert.Equal([3], result.Rows.Select(r => r.Line));
        Assert.Equal([(7, "phone", "hola")], result.Errors.Select(e => (e.Line, e.Column, e.Value)));
    }

    [Fact]
    public void Quoted_fields_with_delimiters_quotes_and_line_breaks_are_read_and_later_lines_keep_their_numbers()
    {
        var csv = "badge,name,role,sector,phone,consent,notas\n" +
                  "B-001,\"López, Ana \"\"La Güera\"\"\",officer,S01,5512345678,yes,\"turno nocturno,\nacompañada\r\npor B-002\"\n" +
                  "B-002,Juan,officer,S01,5523456789,yes,\n" +
                  "B-003,\"María\nGarcía\",officer,S01,5534567890,yes,\n" +
                  "B-004,Luis,officer,S01,55 1234,yes,\n";

        var result = RosterParser.Parse(csv);

        // A line break inside a name (Alt+Enter in a spreadsheet) is a space; the rows keep the line each one starts on.
        Assert.Equal([(2, "B-001", "López, Ana \"La Güera\""), (5, "B-002", "Juan"), (6, "B-003", "María García")],
            result.Rows.Select(r => (r.Line, r.Badge, r.Name)));
        Assert.Equal("turno nocturno,\nacompañada\r\npor B-002", result.Rows[0].Attributes["notas"]);
        Assert.Equal([(8, "phone", "55 1234", "Not a valid phone number for MX (6 digits).")],
            result.Errors.Select(e => (e.Line, e.Column, e.Value, e.Reason)));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void A_line_break_in_any_known_cell_is_read_as_one_space_and_a_bad_multi_line_row_is_reported_where_it_starts(string newline)
    {
        var csv = string.Join(newline,
            "placa,nombre,rol,sector,teléfono,consentimiento",
            $"B-001,\"Juan{newline}Pérez\",\"mando{newline}medio\",S01,\"55 1234{newline}5678\",sí",
            $"B-002,\"Ana {newline}{newline} López\",policía,S01,\"55 1234{newline}\",sí",
            "B-003,Rosa,policía,S01,55 3456 7890,sí", "");

        var result = RosterParser.Parse(csv);

        Assert.Equal([(2, "B-001", "Juan Pérez", "commander", "+525512345678"), (10, "B-003", "Rosa", "officer", "+525534567890")],
            result.Rows.Select(r => (r.Line, r.Badge, r.Name, r.Role, r.PhoneE164)));
        Assert.Equal([(6, "phone", "55 1234")], result.Errors.Select(e => (e.Line, e.Column, e.Value)));
    }

    [Fact]
    public void Spanish_headers_are_matched_regardless_of_accents_case_and_spaces()
    {
        var csv = "NUMERO EMPLEADO;Nombre;ROL;Sector;Teléfono;Consentimiento\n" +
                  "B-001;Ana López;policía;S01;55 1234 5678;sí\n";

        Assert.Equal((2, "B-001", "Ana López", "officer", "S01", "+525512345678", true), Fields(Single(RosterParser.Parse(csv))));
    }

    [Theory]
    [InlineData("badge", "name", "role", "sector", "phone", "consent")]
    [InlineData("BADGE", "Name", "Role", "SECTOR", "Phone", "Consent")]
    [InlineData("placa", "nombre", "rol", "sector", "telefono", "consentimiento")]
    [InlineData("Placa", "Nombre", "Rol", "Sector", "Teléfono", "Consentimiento")]
    [InlineData("Número Empleado", "NOMBRE", "rol", " Sector ", "TELÉFONO", "consentimiento")]
    [InlineData("numero_empleado", "nombre", "rol", "sector", "celular", "consentimiento")]
    [InlineData("numero-empleado", "Nombre Completo", "Cargo", "sector", "Celular", "Consentimiento")]
    [InlineData("No. Empleado", "nombre", "rol", "sector", "móvil", "consent")]
    [InlineData("Número de Empleado", "Nombre", "Rol", "Sector", "Teléfono Celular", "Consentimiento")]
    [InlineData(" placa ", " nombre ", " rol ", " sector ", " teléfono ", " consentimiento ")]
    public void Header_variants_in_english_and_spanish(string badge, string name, string role, string sector, string phone, string consent)
    {
        var csv = $"{badge},{name},{role},{sector},{phone},{consent}\nB-001,Ana,oficial,S01,5512345678,si\n";

        Assert.Equal((2, "B-001", "Ana", "officer", "S01", "+525512345678", true), Fields(Single(RosterParser.Parse(csv))));
    }

    [Fact]
    public void Columns_may_come_in_any_order_and_unknown_columns_are_kept_as_attributes()
    {
        var csv = "phone,Turno,consent,sector,role, Fecha de Ingreso ,name,badge,\n5512345678,Nocturno,yes,S01,officer, 2019-03-01 ,Ana,B-001,\n";

        var row = Single(RosterParser.Parse(csv));

        Assert.Equal((2, "B-001", "Ana", "officer", "S01", "+525512345678", true), Fields(row));
        Assert.Equal(new Dictionary<string, string> { ["Turno"] = "Nocturno", ["Fecha de Ingreso"] = "2019-03-01" }, row.Attributes);
        Assert.Equal(["5512345678", "Nocturno", "yes", "S01", "officer", " 2019-03-01 ", "Ana", "B-001", ""], row.RawFields);
    }

    [Fact]
    public void An_empty_unknown_cell_is_not_kept()
    {
        var row = Single(RosterParser.Parse("badge,name,role,sector,phone,consent,turno\nB-001,Ana,officer,S01,5512345678,yes,\n"));

        Assert.Empty(row.Attributes);
    }

    [Theory]
    [InlineData("officer", "officer")]
    [InlineData("Policía", "officer")]
    [InlineData("POLICIA", "officer")]
    [InlineData("policia", "officer")]
    [InlineData("oficial", "officer")]
    [InlineData("Commander", "commander")]
    [InlineData("mando", "commander")]
    [InlineData("Mando Medio", "commander")]
    [InlineData("mando medio", "commander")]
    [InlineData("comandante", "commander")]
    [InlineData("COMANDANTE", "commander")]
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
    [InlineData("true", true)]
    [InlineData("no", false)]
    [InlineData("NO", false)]
    [InlineData("No", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void Consent_aliases(string text, bool consent)
    {
        Assert.Equal(consent, Single(RosterParser.Parse(Rosters.Csv($"B-001,Ana,officer,S01,5512345678,{text}"))).Consent);
    }

    [Fact]
    public void Every_bad_row_is_reported_with_line_column_value_and_reason_and_nothing_is_guessed()
    {
        var result = RosterParser.Parse(Rosters.Csv(
            "B-001,Ana,officer,S01,5512345678,yes",
            "B-002,Juan,sargento,S01,5523456789,yes",
            "B-003,María,officer,S02,55 1234 567,yes",
            "B-004,Luis,officer,S02,5534567890,quizá",
            ",Sin Placa,officer,S02,5545678901,yes",
            "B-006,,officer,,5556789012,yes",
            "B-007,Rosa,officer,S03,+1 212 555 0123,no",
            "B-008,Pedro,officer,S03,55 ABCD 5678,yes",
            "B-009,Lupe,,S03,5567890123,",
            "B-010,Beto,officer,S03,,yes"));

        Assert.Equal(["B-001"], result.Rows.Select(r => r.Badge));
        Assert.Equal(
            [
                (3, "role", "sargento", "Role must be officer (policía, oficial) or commander (mando, mando medio, comandante)."),
                (4, "phone", "55 1234 567", "Not a valid phone number for MX (9 digits)."),
                (5, "consent", "quizá", "Consent must be yes/no, sí/no, 1/0 or true/false."),
                (6, "badge", "", "Badge is required."),
                (7, "name", "", "Name is required."),
                (7, "sector", "", "Sector is required."),
                (8, "phone", "+1 212 555 0123", "Not a Mexican number (+1); allowed: MX."),
                (9, "phone", "55 ABCD 5678", "A phone may contain only digits, spaces, + ( ) - and dots."),
                (10, "role", "", "Role must be officer (policía, oficial) or commander (mando, mando medio, comandante)."),
                (10, "consent", "", "Consent must be yes/no, sí/no, 1/0 or true/false."),
                (11, "phone", "", "Phone is required."),
            ],
            result.Errors.Select(e => (e.Line, e.Column, e.Value, e.Reason)));
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10, 11], result.RejectedRows.Keys.Order());
        Assert.Equal(["B-002", "Juan", "sargento", "S01", "5523456789", "yes"], result.RejectedRows[3]);
    }

    [Fact]
    public void A_row_with_several_bad_cells_reports_each_of_them()
    {
        var result = RosterParser.Parse(Rosters.Csv("B-001,Ana,sargento,S01,hola,quizá"));

        Assert.Equal([("consent", "quizá"), ("phone", "hola"), ("role", "sargento")], result.Errors.Select(e => (e.Column, e.Value)).Order());
        Assert.All(result.Errors, e => Assert.Equal(2, e.Line));
    }

    [Fact]
    public void A_duplicate_badge_is_reported_on_the_second_row_with_the_first_line_whatever_its_case()
    {
        var result = RosterParser.Parse(Rosters.Csv(
            "B-001,Ana,officer,S01,5512345678,yes",
            "b-001,Juan,officer,S01,5523456789,yes"));

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, "badge", "b-001", "Badge b-001 appears twice in the file (also on line 2)."), (error.Line, error.Column, error.Value, error.Reason));
    }

    [Fact]
    public void A_duplicate_phone_is_reported_even_when_written_in_another_format()
    {
        var result = RosterParser.Parse(Rosters.Csv(
            "B-001,Ana,officer,S01,+52 1 55 1234 5678,yes",
            "B-002,Juan,officer,S01,(55) 1234-5678,yes"));

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, "phone", "(55) 1234-5678", "The same phone is given for two officers in the file (also on line 2)."),
            (error.Line, error.Column, error.Value, error.Reason));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"\"http://example.com\"\",\"\"clic\"\")", "=HYPERLINK(\"http://example.com\",\"clic\")")]
    [InlineData("+Ana", "+Ana")]
    [InlineData("-Ana", "-Ana")]
    [InlineData("@SUM(A1:A9)", "@SUM(A1:A9)")]
    [InlineData("=1+2", "=1+2")]
    public void Cells_a_spreadsheet_would_run_as_a_formula_are_kept_as_text(string cell, string stored)
    {
        var row = Single(RosterParser.Parse(Rosters.Csv($"B-001,\"{cell}\",officer,S01,5512345678,yes")));

        Assert.Equal(stored, row.Name);
    }

    [Fact]
    public void A_cell_neutralized_by_our_own_export_is_read_back_as_it_was()
    {
        var row = Single(RosterParser.Parse(Rosters.Header + ",turno\nB-001,\"'=HYPERLINK(\"\"x\"\")\",officer,S01,'+52 (55) 1234-5678,yes,'-noche\n"));

        Assert.Equal(("=HYPERLINK(\"x\")", "+525512345678", "-noche"), (row.Name, row.PhoneE164, row.Attributes["turno"]));
    }

    [Theory]
    [InlineData("name", "Ana\u0007", "Contains control characters.")]
    [InlineData("name", "Ana\0López", "Contains control characters.")]
    [InlineData("badge", "B-\u001b001", "Contains control characters.")]
    [InlineData("sector", "S0\u00021", "Contains control characters.")]
    public void Control_characters_are_refused(string column, string value, string reason)
    {
        var cells = new Dictionary<string, string> { ["badge"] = "B-001", ["name"] = "Ana", ["sector"] = "S01" };
        cells[column] = value;

        var error = SingleError(RosterParser.Parse(Rosters.Csv($"{cells["badge"]},{cells["name"]},officer,{cells["sector"]},5512345678,yes")));

        Assert.Equal((2, column, value, reason), (error.Line, error.Column, error.Value, error.Reason));
    }

    [Fact]
    public void Control_characters_in_an_extra_column_are_refused_but_line_breaks_in_a_note_are_kept()
    {
        var result = RosterParser.Parse("badge,name,role,sector,phone,consent,notas\n" +
            "B-001,Ana,officer,S01,5512345678,yes,\"uno\r\ndos\tcampos\"\n" +
            "B-002,Juan,officer,S01,5523456789,yes,\"pitido\u0007\"\n");

        Assert.Equal("uno\r\ndos\tcampos", Assert.Single(result.Rows).Attributes["notas"]);
        var error = Assert.Single(result.Errors);
        Assert.Equal((4, "notas", "pitido\u0007", "Contains control characters."), (error.Line, error.Column, error.Value, error.Reason));
    }

    [Fact]
    public void Over_long_cells_are_refused_with_their_start_as_the_value()
    {
        var longName = new string('n', RosterParser.MaxNameLength + 1);
        var longBadge = new string('b', RosterParser.MaxCodeLength + 1);
        var longNote = new string('x', RosterParser.MaxAttributeLength + 1);
        var result = RosterParser.Parse("badge,name,role,sector,phone,consent,notas\n" +
            $"B-001,{longName},officer,S01,5512345678,yes,\n" +
            $"{longBadge},Ana,officer,S01,5523456789,yes,\n" +
            $"B-003,Juan,officer,S01,5534567890,yes,{longNote}\n" +
            $"B-004,{new string('n', RosterParser.MaxNameLength)},officer,S01,5545678901,yes,{new string('x', RosterParser.MaxAttributeLength)}\n");

        Assert.Equal(["B-004"], result.Rows.Select(r => r.Badge));
        Assert.Equal(
            [
                (2, "name", new string('n', 40) + "…", "At most 200 characters."),
                (3, "badge", new string('b', 40) + "…", "At most 64 characters."),
                (4, "notas", new string('x', 40) + "…", "At most 500 characters."),
            ],
            result.Errors.Select(e => (e.Line, e.Column, e.Value, e.Reason)));
    }

    [Fact]
    public void A_row_with_more_fields_than_the_header_is_refused_rather_than_guessed()
    {
        var result = RosterParser.Parse(Rosters.Csv("B-001,López, Ana,officer,S01,5512345678,yes"));

        Assert.Empty(result.Rows);
        Assert.Contains(result.Errors, e => (e.Line, e.Column, e.Value, e.Reason) ==
            (2, "", "yes", "The row has 7 fields but the header has 6 (an unquoted delimiter in a value?)."));
    }

    [Fact]
    public void A_short_row_reports_its_missing_cells()
    {
        var result = RosterParser.Parse(Rosters.Csv("B-001,Ana"));

        Assert.Empty(result.Rows);
        Assert.Equal(["consent", "phone", "role", "sector"], result.Errors.Select(e => e.Column).Order());
        Assert.All(result.Errors, e => Assert.Equal((2, ""), (e.Line, e.Value)));
    }

    [Fact]
    public void A_missing_column_is_reported_on_the_header_line_with_the_accepted_names()
    {
        var error = SingleError(RosterParser.Parse("badge,name,role,sector,consent\nB-001,Ana,officer,S01,yes\n"));

        Assert.Equal((1, "phone", ""), (error.Line, error.Column, error.Value));
        Assert.StartsWith("Missing column 'phone' (accepted headers: phone, ", error.Reason);
        Assert.Contains(", telefono, celular, ", error.Reason);
    }

    [Fact]
    public void A_column_given_twice_is_reported_on_the_header_line()
    {
        var result = RosterParser.Parse("badge,name,role,sector,phone,teléfono,consent\nB-001,Ana,officer,S01,5512345678,5523456789,yes\n");

        Assert.Empty(result.Rows);
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, "teléfono", "Column 'teléfono' appears twice in the header."), (error.Line, error.Column, error.Reason));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("\uFEFF")]
    [InlineData(",,,,\n")]
    public void An_empty_roster_is_one_error_not_an_exception(string text)
    {
        var error = SingleError(RosterParser.Parse(text));

        Assert.Equal((1, "The roster is empty: a header row is required."), (error.Line, error.Reason));
    }

    [Fact]
    public void A_header_only_roster_has_no_rows_and_no_errors()
    {
        var result = RosterParser.Parse(Rosters.Header + "\n");

        Assert.Empty(result.Rows);
        Assert.Empty(result.Errors);
    }
}
