using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intake.Core.Ledger;
using Intake.Storage.Audit;
using Intake.Storage.Ledger;
using Intake.Web.Hosting;
using Intake.Web.Workspace;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace Intake.Web.Accounts;

/// <summary>
/// <c>GET /staff/admin/audit/export?format=json|csv</c> with the audit page's filters (kind, actor,
/// case) and an optional day range (from, to): the audit export for `intake audit verify`
/// (docs/audit.md). Admins and auditors only, as the audit page. Each export is itself an Access
/// entry in the ledger (action <c>audit.export</c>), written before the first byte is sent, so an
/// export that could not be recorded is never given.
/// </summary>
public static class AuditExportEndpoints
{
    public const string Path = "/staff/admin/audit/export";

    private static readonly JsonSerializerOptions RecordOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEndpointRouteBuilder MapIntakeAudit(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, ExportAsync).RequireAuthorization(StaffPolicies.AdminOrAuditor);
        return endpoints;
    }

    /// <summary>What the Access entry of an export records: who exported what (never a row of it).</summary>
    private sealed record ExportRecord(
        string Action,
        Guid Actor,
        string Format,
        string? Kind,
        Guid? Who,
        Guid? ForCase,
        string? From,
        string? To);

    internal static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportAsync(
        HttpContext context, ClaimsPrincipal user, AuditExport export, LedgerWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (Single(query["format"]) is not ("json" or "csv") || query["format"].Count != 1)
        {
            return ApiRequests.Invalid("format", "Give format=json or format=csv.");
        }
        var format = query["format"] == "json" ? AuditExportFormat.Json : AuditExportFormat.Csv;
        LedgerEntryKind? kind = null;
        if (!TryOptional(query, "kind", out var kindText))
        {
            return ApiRequests.Invalid("kind", "Give the kind once.");
        }
        if (kindText is not null)
        {
            // By name only, as the audit page: numbers and kinds outside the export are refused.
            kind = AuditExport.Kinds.Where(k => k.ToString() == kindText).Cast<LedgerEntryKind?>().FirstOrDefault();
            if (kind is null)
            {
                return ApiRequests.Invalid("kind", "Not a kind the audit export includes: " + string.Join(", ", AuditExport.Kinds) + ".");
            }
        }
        if (!TryId(query, "actor", out var actor))
        {
            return ApiRequests.Invalid("actor", "The actor is a staff account id (a uuid).");
        }
        if (!TryId(query, "case", out var caseId))
        {
            return ApiRequests.Invalid("case", "The case is a full case id (a uuid).");
        }
        if (!TryDay(query, "from", out var from))
        {
            return ApiRequests.Invalid("from", "The first day is written yyyy-MM-dd.");
        }
        if (!TryDay(query, "to", out var to))
        {
            return ApiRequests.Invalid("to", "The last day is written yyyy-MM-dd.");
        }
        if (from > to)
        {
            return ApiRequests.Invalid("to", "The last day comes before the first.");
        }
        var request = new AuditExportQuery(new AuditFilter(kind, actor, caseId), from, to);

        var exporter = WorkspaceEndpoints.UserId(user);
        var record = new ExportRecord("audit.export", exporter, format == AuditExportFormat.Json ? "json" : "csv", kind?.ToString(), actor, caseId,
            from is { } f ? Day(f) : null, to is { } t ? Day(t) : null);
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.Access, Metadata: JsonSerializer.SerializeToUtf8Bytes(record, RecordOptions)), cancellationToken);

        // Only the day: the file name says when, as precisely as the ledger does, and nothing of the filters.
        var name = string.Create(CultureInfo.InvariantCulture, $"intake-audit-{Day(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))}.{record.Format}");
        var contentType = format == AuditExportFormat.Json ? "application/json" : "text/csv; charset=utf-8; header=present";
        return TypedResults.Stream(async body => await export.WriteAsync(body, format, request, cancellationToken), contentType, name);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    /// <summary>An optional member given at most once; empty counts as absent, as the page's form sends it.</summary>
    private static bool TryOptional(IQueryCollection query, string name, out string? value)
    {
        value = null;
        var values = query[name];
        if (values.Count > 1)
        {
            return false;
        }
        value = values.Count == 1 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;
        return true;
    }

    private static bool TryId(IQueryCollection query, string name, out Guid? id)
    {
        id = null;
        if (!TryOptional(query, name, out var text))
        {
            return false;
        }
        if (text is null)
        {
            return true;
        }
        if (Guid.TryParse(text, out var parsed))
        {
            id = parsed;
            return true;
        }
        return false;
    }

    private static bool TryDay(IQueryCollection query, string name, out DateOnly? day)
    {
        day = null;
        if (!TryOptional(query, name, out var text))
        {
            return false;
        }
        if (text is null)
        {
            return true;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            day = parsed;
            return true;
        }
        return false;
    }
}
