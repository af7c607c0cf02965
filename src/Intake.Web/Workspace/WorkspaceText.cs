namespace Intake.Web;

/// <summary>
/// Marker type for the advocate workspace's text: IStringLocalizer&lt;WorkspaceText&gt; reads
/// Resources/WorkspaceText.resx (English) and Resources/WorkspaceText.zh-Hans.resx (Simplified Chinese).
/// </summary>
public sealed class WorkspaceText;
