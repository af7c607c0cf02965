// The open channels, named in the page's language.
import { getJson } from "./http";
import { pageLanguage } from "./text";

export interface Channel {
  id: string;
  names: { en: string; zh: string };
}

export async function listChannels(): Promise<Channel[]> {
  return getJson<Channel[]>("/api/channels");
}

export function channelName(channel: Channel): string {
  return (pageLanguage() === "en" ? channel.names.en : channel.names.zh) || channel.id;
}
