using Intake.Core.Contracts;
using Npgsql;

namespace Intake.Storage.Routing;

/// <summary>Writes a case's routing hints inside the submission's ledger transaction.</summary>
internal static class RoutingHintsStore
{
    private const string Insert =
        "INSERT INTO intake.case_routing (case_id, language, region_id, excluded_organisations) VALUES (@case, @language, @region, @excluded)";

    public static async Task InsertAsync(NpgsqlConnection connection, Guid caseId, RoutingHints hints, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(Insert, connection);
        insert.Parameters.AddRange(Parameters(caseId, hints));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The same insert as a command of a batch (a submission's set-based ledger companion).</summary>
    public static NpgsqlBatchCommand InsertCommand(Guid caseId, RoutingHints hints)
    {
        var insert = new NpgsqlBatchCommand(Insert);
        insert.Parameters.AddRange(Parameters(caseId, hints));
        return insert;
    }

    private static NpgsqlParameter[] Parameters(Guid caseId, RoutingHints hints) =>
    [
        new("case", caseId),
        new("language", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)hints.Language ?? DBNull.Value },
        new("region", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)hints.Region ?? DBNull.Value },
        new("excluded", hints.Exclusions.Distinct(StringComparer.Ordinal).ToArray()),
    ];
}
