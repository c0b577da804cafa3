"""创城办登录: the office logs in with its passcode and a name (``dashboard.access``). It is
also what an office page's URL shows to anyone else; after the log-in that URL is the
page asked for (app.py). Without a configured passcode the page says how the deployer
enables uploads; while passcode entry is locked after repeated wrong passcodes it says
until when (an attempt then is refused unchecked, and logged)."""
import streamlit as st

from dashboard import access, sessions

sessions.reroute_first_run()
st.title("创城办登录")
st.caption("领导查看各页面无需登录。上传台账、删除批次、修改设置和查看操作日志需要创城办口令。")
asked = access.asked_for()
if asked:
    st.info(f"“{asked}”页仅供创城办使用，登录后打开。", icon=":material/lock:")

if not access.passcode(access.OFFICE):
    st.warning(access.HOW_TO_ENABLE, icon=":material/lock:")
    st.stop()

notice = st.empty()      # the lock, or what became of the attempt
with st.form("office_login"):
    name = st.text_input("您的姓名", key="login_name", max_chars=access.NAME_MAX, help="记入上传记录和操作日志。")
    given = st.text_input("创城办口令", type="password", key="login_passcode")
    submitted = st.form_submit_button("登录", type="primary")
if submitted:
    error = access.login_office(given, name)
    if error:
        notice.error(error, icon=":material/error:")
    else:
        st.rerun()   # app.py then lists the office pages and opens the page asked for (else 数据上传)
elif (locked := access.lock_status()) is not None:
    notice.error(access.locked_message(locked), icon=":material/lock:")
