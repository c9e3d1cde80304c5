"""Gradio's own interface words in Chinese, whatever language the browser asks for.

Gradio translates its built-in strings ("Drop File Here", "Retry", "Use via
API"…) by the browser's language, so a newsroom PC set to English showed an
English upload box in a Chinese app. Registering these Chinese strings for
every locale Gradio ships overrides its translations (checked in Chromium set
to en-US: tests/app/test_app.py). Keys are Gradio 6's; a key it no longer has is
simply unused.
"""

from __future__ import annotations

import gradio as gr

ZH = {
    "upload_text.click_to_upload": "点击上传",
    "upload_text.drop_file": "将文件拖放到此处",
    "upload_text.paste_clipboard": "从剪贴板粘贴",
    "file.uploading": "正在上传…",
    "common.or": "或",
    "common.clear": "清除",
    "common.download": "下载",
    "common.download_all": "全部下载",
    "common.edit": "编辑",
    "common.empty": "空",
    "common.error": "错误",
    "common.loading": "加载中",
    "common.remove": "移除",
    "common.settings": "设置",
    "common.submit": "提交",
    "common.undo": "撤销",
    "common.language": "语言",
    "common.display_theme": "显示主题",
    "common.progress": "进度",
    "common.stop_recording": "停止录制",
    "common.built_with_gradio": "使用 Gradio 构建",
    # announced to screen readers when a request ends; Gradio 6.31 ships no text for it in
    # any language, so the raw key "common.complete" was read out (and shown in inner text)
    "common.complete": "完成",
    "common.upload": "上传",
    "common.share": "分享",
    "chatbot.edit": "编辑",
    "chatbot.retry": "重新回答",
    "chatbot.undo": "撤回",
    "chatbot.submit": "提交",
    "chatbot.cancel": "取消",
    "chatbot.like": "赞",
    "chatbot.dislike": "踩",
    "chatbot.clear": "清空对话",
    "chatbot.copy_message": "复制这条消息",
    "chatbot.copied_message": "已复制",
    "chat_interface.new_chat": "新对话",
    "chat_interface.message_placeholder": "输入问题…",
    "chat_interface.additional_inputs": "更多选项",
    "chat_interface.chatbot": "对话",
    "chat_interface.conversation": "对话",
    "errors.use_via_api": "通过 API 使用",
    "errors.use_via_api_or_mcp": "通过 API 使用",
    "blocks.connection_can_break": "在手机上，如果切换到其他页面或设备休眠，连接可能中断，排队位置会丢失。",
    "blocks.lost_connection": "连接已断开，正在重新排队…",
    "blocks.waiting_for_inputs": "正在等待文件上传完成，请稍后再试。",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
}

# the locales Gradio 6 ships translations for; zh-CN too, for the keys its own lacks
LOCALES = ("en", "zh-CN", "ar", "ca", "de", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "id", "ja",
           "ko", "lt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sv", "ta", "th", "tr", "uk",
           "ur", "uz", "zh-TW")


def chinese_ui() -> gr.I18n:
    """The translations to pass to ``launch(i18n=...)``."""
    return gr.I18n(**{locale: ZH for locale in LOCALES})
