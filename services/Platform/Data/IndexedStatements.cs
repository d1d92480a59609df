using System.Collections;
using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Reminders.Platform.Data;

/// <summary>
/// The commands of <see cref="UnitOfWork.ExecuteAllAsync"/> and <see cref="UnitOfWork.QueryAllAsync"/>: many statements
/// in one text, each one's parameters renamed with its index (<c>@SmsId</c> of the third becomes <c>@SmsId_2</c>). The
/// parameters are bound here, on the command, and not through Dapper's DynamicParameters: for each parameter that reads
/// back the provider's DbType, which costs Npgsql a type lookup every time (a quarter of Attendance's managed CPU samples in
/// the delivery benchmark), and a grid read of a text Dapper may not cache emits a new parameter reader every time
/// (Messaging's finalizer thread took a tenth of its samples collecting them).
/// </summary>
public static partial class IndexedStatements
{
    /// <summary>A statement's text with its parameter names cut out, so each index is a concatenation and not a regex.</summary>
    sealed record Template(string[] Pieces, string[] Names);

    // Statement texts are the callers' constants: a few hundred at most. The bound only keeps a text built at run time
    // from growing the cache without end.
    const int MaxTemplates = 4096;
    static readonly ConcurrentDictionary<string, Template> templates = new(StringComparer.Ordinal);
    static readonly ConcurrentDictionary<Type, PropertyInfo[]> propertiesOf = new();

    /// <summary>Makes statements <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> the command's text, parameters bound.</summary>
    public static void Fill(DbCommand command, IReadOnlyList<(string Sql, object Param)> statements, int start, int count)
    {
        var text = new StringBuilder();
        for (var i = start; i < start + count; i++)
        {
            var (sql, param) = statements[i];
            var index = i - start;
            if (index > 0) text.Append(";\n");
            var template = TemplateOf(sql);
            for (var piece = 0; piece < template.Names.Length; piece++)
                text.Append(template.Pieces[piece]).Append('@').Append(template.Names[piece]).Append('_').Append(index);
            text.Append(template.Pieces[^1]);
            foreach (var property in propertiesOf.GetOrAdd(param.GetType(), type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)))
                Bind(command, $"{property.Name}_{index}", property.GetValue(param), property.PropertyType);
        }
        command.CommandText = text.ToString();
    }

    /// <summary>
    /// Adds one parameter as Dapper with this project's type handlers would (<see cref="DapperTypeHandlers"/>): uuids and
    /// timestamps as text on SQLite and natively on PostgreSQL, a null with the type it needs, an enum as its number.
    /// </summary>
    public static void Bind(DbCommand command, string name, object? value, Type declaredType)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        var sqlite = command is SqliteCommand;
        switch (value)
        {
            case null:
                parameter.Value = DBNull.Value;
                if (DbTypeOfNull(declaredType) is { } nullType) parameter.DbType = nullType;
                break;
            case Guid uuid when sqlite:
                parameter.DbType = DbType.String;
                parameter.Value = uuid.ToString();
                break;
            case Guid uuid:
                parameter.Value = uuid;
                break;
            case DateTimeOffset timestamp when sqlite:
                parameter.DbType = DbType.String;
                parameter.Value = DapperTypeHandlers.ToSqliteText(timestamp);
                break;
            case DateTimeOffset timestamp:
                parameter.DbType = DbType.DateTimeOffset;
                parameter.Value = timestamp.ToUniversalTime();
                break;
            case Enum number:
                var underlying = Convert.ChangeType(number, Enum.GetUnderlyingType(number.GetType()), CultureInfo.InvariantCulture);
                parameter.DbType = DbTypeOf(underlying.GetType()) ?? DbType.Int32;
                parameter.Value = underlying;
                break;
            case IEnumerable list when value is not string and not byte[]:
                // PostgreSQL takes a list as an array (= ANY(@ids)); SQLite has none, and Dapper's expansion of IN @ids is not done here.
                if (sqlite) throw new NotSupportedException($"Parameter {name}: a list cannot be bound in grouped statements on SQLite.");
                parameter.Value = list;
                break;
            default:
                if (DbTypeOf(value.GetType()) is { } type) parameter.DbType = type;
                parameter.Value = value;
                break;
        }
        command.Parameters.Add(parameter);
    }

    /// <summary>Reads the results of <see cref="UnitOfWork.QueryAllAsync"/>: each statement's rows in their order.</summary>
    public sealed class Results(DbCommand command, DbDataReader reader) : IAsyncDisposable
    {
        bool started;

        /// <summary>The next statement's one row, mapped as Dapper maps a query's (same type handlers, same name matching).</summary>
        public async Task<T> ReadSingleAsync<T>()
        {
            if (started && !await reader.NextResultAsync()) throw new InvalidOperationException("No statement's results are left to read.");
            started = true;
            if (!await reader.ReadAsync()) throw new InvalidOperationException($"The statement read as {typeof(T).Name} returned no row.");
            var row = reader.GetRowParser(typeof(T))(reader) switch
            {
                T typed => typed,
                null or DBNull => default!,
                // A number SQLite returns as a long, read as an int: converted, as Dapper converts a single column.
                var other => (T)Convert.ChangeType(other, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture),
            };
            if (await reader.ReadAsync()) throw new InvalidOperationException($"The statement read as {typeof(T).Name} returned more than one row.");
            return row;
        }

        public async ValueTask DisposeAsync()
        {
            await reader.DisposeAsync();
            await command.DisposeAsync();
        }
    }

    static Template TemplateOf(string sql)
    {
        if (templates.TryGetValue(sql, out var known)) return known;
        var names = ParameterName().Matches(sql);
        var pieces = new string[names.Count + 1];
        var at = 0;
        for (var i = 0; i < names.Count; i++)
        {
            pieces[i] = sql[at..names[i].Index];
            at = names[i].Index + names[i].Length;
        }
        pieces[^1] = sql[at..];
        var template = new Template(pieces, [.. names.Select(n => n.Value[1..])]);
        if (templates.Count < MaxTemplates) templates.TryAdd(sql, template);
        return template;
    }

    /// <summary>The type a parameter is sent with, which a null needs; null for uuids and timestamps, which are written by value.</summary>
    static DbType? DbTypeOfNull(Type type) => DbTypeOf(Nullable.GetUnderlyingType(type) ?? type) switch
    {
        DbType.String => DbType.String,
        DbType.Int32 => DbType.Int32,
        DbType.Int64 => DbType.Int64,
        DbType.Boolean => DbType.Boolean,
        _ => null,
    };

    static DbType? DbTypeOf(Type type) => type switch
    {
        _ when type == typeof(string) => DbType.String,
        _ when type == typeof(int) => DbType.Int32,
        _ when type == typeof(long) => DbType.Int64,
        _ when type == typeof(short) => DbType.Int16,
        _ when type == typeof(bool) => DbType.Boolean,
        _ when type == typeof(double) => DbType.Double,
        _ when type == typeof(decimal) => DbType.Decimal,
        _ when type == typeof(DateTime) => DbType.DateTime,
        _ when type == typeof(byte[]) => DbType.Binary,
        _ => null,
    };

    [GeneratedRegex(@"@\w+")]
    private static partial Regex ParameterName();
}
