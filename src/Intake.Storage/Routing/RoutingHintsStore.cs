using Intake.Core.Contracts;
using Npgsql;

namespace Intake.Storage.Routing;

/// <summary>Writes a case's routing hints inside the submission's ledger transaction.</summary>
internal static class RoutingHintsStore
{
    public static async Task InsertAsync(NpgsqlConnection connection, Guid caseId, RoutingHints hints, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            "INSERT INTO intake.case_routing (case_id, language, region_id, excluded_organisations) VALUES (@case, @language, @region, @excluded)",
            connection);
        insert.Parameters.AddWithValue("case", caseId);
        insert.Parameters.Add(new NpgsqlParameter("language", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)hints.Language ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("region", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)hints.Region ?? DBNull.Value });
        insert.Parameters.AddWithValue("excluded", hints.Exclusions.Distinct(StringComparer.Ordinal).ToArray());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
