from enum import StrEnum


class AttachmentRequestContentType(StrEnum):
    APPLICATIONMSWORD = "application/msword"
    APPLICATIONPDF = "application/pdf"
    APPLICATIONVND_MS_EXCEL = "application/vnd.ms-excel"
    APPLICATIONVND_OPENXMLFORMATS_OFFICEDOCUMENT_SPREADSHEETML_SHEET = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    APPLICATIONVND_OPENXMLFORMATS_OFFICEDOCUMENT_WORDPROCESSINGML_DOCUMENT = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    AUDIOMP4 = "audio/mp4"
    AUDIOMPEG = "audio/mpeg"
    IMAGEGIF = "image/gif"
    IMAGEHEIC = "image/heic"
    IMAGEJPEG = "image/jpeg"
    IMAGEPNG = "image/png"
    IMAGEWEBP = "image/webp"
    TEXTPLAIN = "text/plain"
    VIDEOMP4 = "video/mp4"
    VIDEOQUICKTIME = "video/quicktime"

    def __str__(self) -> str:
        return str(self.value)
