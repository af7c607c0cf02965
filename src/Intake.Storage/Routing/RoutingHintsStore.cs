using Intake.Core.Contracts;
using Npgsql;

namespace Intake.Storage.Routing;

/// <summary>Writes a case's routing hints inside the submission's ledger transaction.</summary>
internal static class RoutingHintsStore
{
    /// <summary>The insert of a case's routing hints, as a command of the batch that writes the case.</summary>
    public static NpgsqlBatchCommand InsertCommand(Guid caseId, RoutingHints hints)
    {
        var insert = new NpgsqlBatchCommand(
            "INSERT INTO intake.case_routing (case_id, language, region_id, excluded_organisations) VALUES (@case, @language, @region, @excluded)");
        insert.Parameters.Add(new NpgsqlParameter("case", caseId));
        insert.Parameters.Add(new NpgsqlParameter("language", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)hints.Language ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("region", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)hints.Region ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("excluded", hints.Exclusions.Distinct(StringComparer.Ordinal).ToArray()));
        return insert;
    }
}
