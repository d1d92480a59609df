using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Reminders.Platform.Auth;

namespace Reminders.Platform.Hosting;

/// <summary>
/// What every service's OpenAPI document says the same way: the API-key and bearer-token schemes, which one protects each
/// operation (and that the anonymous ones, webhooks and the simulator, take none), the roles it needs, its 401 and 403,
/// the CSV request bodies, and a server URL without a trailing slash.
/// </summary>
public static partial class OpenApiConventions
{
    public const string ApiKeyScheme = "ApiKey";

    /// <summary>The console's short-lived JWT, sent as <c>Authorization: Bearer ...</c>.</summary>
    public const string BearerScheme = "Bearer";

    public static OpenApiOptions AddReminderConventions(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            DeclareSchemes(document);
            foreach (var server in document.Servers ?? [])
                if (server.Url is { Length: > 1 } url) server.Url = url.TrimEnd('/');
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(DescribeOperationAsync);
        return options;
    }

    static void DeclareSchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes.TryAdd(ApiKeyScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key with one or more roles (manager, trainer, researcher), configured under Auth:ApiKeys.",
        });
        document.Components.SecuritySchemes.TryAdd(BearerScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The console's short-lived token: the person's name, role and, for a trainer, trainer_id.",
        });
    }

    /// <summary>A stable id for client generators from the method and the route: GET api/scheduler/cohorts/{cohortId} → getSchedulerCohortsByCohortId.</summary>
    static string? OperationId(string? method, string? path)
    {
        if (method is null || path is null) return null;
        var words = RouteWords().Matches(path).Select(m => m.Groups["parameter"].Success ? ["By", m.Groups["parameter"].Value] : new[] { m.Value })
            .SelectMany(w => w).Where(w => w != "api").Select(w => char.ToUpperInvariant(w[0]) + w[1..]);
        return method.ToLowerInvariant() + string.Concat(words);
    }

    /// <summary>A route parameter's name ({id:guid} → id), or a run of letters and digits.</summary>
    [GeneratedRegex(@"\{(?<parameter>[A-Za-z0-9_]+)[^}]*\}|[A-Za-z0-9]+")]
    private static partial Regex RouteWords();

    static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.OperationId ??= OperationId(context.Description.HttpMethod, context.Description.RelativePath);
        var roles = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
            .Concat(metadata.OfType<AuthorizationPolicy>().SelectMany(p => p.Requirements.OfType<RolesAuthorizationRequirement>()).SelectMany(r => r.AllowedRoles))
            .Distinct().ToList();
        var anonymous = metadata.OfType<IAllowAnonymous>().Any() || (roles.Count == 0 && !metadata.OfType<IAuthorizeData>().Any());
        if (anonymous)
            operation.Security = [];
        else
        {
            // Registered here too: the document transformers run after the operations are built.
            DeclareSchemes(context.Document!);
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
            ];
            if (roles.Count > 0)
                operation.Description = string.Join("\n\n", new[] { operation.Description, $"Roles: {string.Join(", ", roles)}." }.Where(d => !string.IsNullOrEmpty(d)));
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key or token, or an unknown one (ProblemDetails)." });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key or token lacks the role the route needs; the ProblemDetails names it (requiredRoles)." });
        }

        if (metadata.OfType<CsvUploadMetadata>().LastOrDefault() is { } csv)
        {
            var content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The CSV file's bytes (UTF-8, UTF-16 or Windows-1252)." } },
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                        Description = "The same file as the one file part of a form (the first file part is read).",
                    },
                },
            };
            if (csv.JsonAlternative is { } json)
                content["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(json, null, ct) };
            operation.RequestBody = new OpenApiRequestBody { Required = true, Description = csv.Description, Content = content };
        }
    }
}
